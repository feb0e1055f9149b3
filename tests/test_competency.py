"""Competency questions from the article, answered by SPARQL (Oxigraph) over the loaded graph and checked
against the fact sheet (../shared/domain/FACTS.md)."""

from helpers import BASE, competency


def test_the_eleven_kazakh_acts(store):
    """FACTS §3: 11 Kazakh acts, with numbers and dates where the footnotes give them."""
    rows = {row["act"]: row for row in store.select(competency("kazakh-acts"))}
    expected = {  # act: (number, date) as FACTS §3 decodes them
        "eli/kz/constitution": (None, None),
        "eli/kz/code/2014/226-V": ("226-V", "2014-07-03"),
        "eli/kz/code/administrative-offences": (None, None),
        "eli/kz/code/1994/268-XIII": ("268-XIII", "1994-12-27"),
        "eli/kz/law/2012/527-IV": ("527-IV", "2012-01-06"),
        "eli/kz/law/2015/418-V": ("418-V", "2015-11-24"),
        "eli/kz/law/2013/94-V": ("94-V", "2013-05-21"),
        "eli/kz/law/2015/401-V": ("401-V", "2015-11-16"),
        "eli/kz/decree/2017/407": ("407", "2017-06-30"),
        "eli/kz/decree/2016/832": ("832", "2016-12-20"),
        "eli/kz/law/2019/277-VI": ("277-VI", "2019-12-09"),
    }
    assert {act: (row["number"], row["date"]) for act, row in rows.items()} == {BASE + k: v for k, v in expected.items()}


def test_acts_regulating_information_security(store):
    """FACTS §3: the laws on national security, informatization, personal data and access to information, and the
    Criminal Code, are among the sources of regulation of information security the article names."""
    regulating = {row["act"][len(BASE):] for row in store.select(competency("kazakh-acts")) if row["regulatesIS"]}
    assert {"eli/kz/code/2014/226-V", "eli/kz/law/2012/527-IV", "eli/kz/law/2015/418-V",
            "eli/kz/law/2013/94-V", "eli/kz/law/2015/401-V"} <= regulating


def test_cited_criminal_code_articles(store):
    """FACTS §3.1: Arts 205, 208, 209, 211, 212, 213 (DISC) and 210 (fn 2); 206 and 207 are not cited."""
    numbers = [row["number"] for row in store.select(competency("cited-criminal-code-articles"))]
    assert numbers == ["205", "208", "209", "210", "211", "212", "213"]


def test_separate_chapter_or_spread(store):
    """FACTS §5: KZ and groups A-D have a separate chapter; Latvia and Estonia (group E) spread the offences."""
    rows = store.select(competency("placements"))
    separate = {row["state"][len(BASE + "id/state/"):] for row in rows if row["separate"]}
    spread = {row["state"][len(BASE + "id/state/"):] for row in rows if not row["separate"]}
    assert separate == {"kz", "by", "tj", "uz", "ru", "tm", "kg", "am", "az"}
    assert spread == {"lv", "ee"}
    assert {row["approach"] for row in rows if row["state"].endswith("/lv")} == {"E"}


def test_unlawful_access_in_the_2001_instruments(store):
    """FACTS §4.1: the Convention defines it without other qualifying features; the 2001 CIS Agreement with
    consequences (destruction, disruption, blocking)."""
    texts = {}
    for row in store.select(competency("unlawful-access-definitions")):
        texts.setdefault(row["instrument"][len(BASE):], []).append(row["text"].lower())
    assert set(texts) == {"eli/coe/convention/2001/cybercrime", "eli/cis/agreement/2001/computer-information"}
    convention = " ".join(texts["eli/coe/convention/2001/cybercrime"])
    agreement = " ".join(texts["eli/cis/agreement/2001/computer-information"])
    assert "біліктілік белгілерін" in convention or "qualifying features" in convention
    assert all(word in agreement for word in ("жою", "бұзу", "бұғаттау")) or \
        all(word in agreement for word in ("destruction", "blocking"))


def test_ratification_by_law_277_vi(store):
    """FACTS §3 KZ-11, fn 13/28: Law No 277-VI of 9 Dec 2019 ratifies the 2018 CIS Agreement."""
    rows = store.select(competency("ratified-by-277-VI"))
    assert rows == [{"instrument": BASE + "eli/cis/agreement/2018/information-technologies",
                     "date": "2019-12-09", "recorded": True}]


def test_table_1_rows_that_fell(store):
    """FACTS §10.1: only row 4 (phishing, 461 -> 379, printed -18 %) fell."""
    rows = store.select(competency("table-1-decreases"))
    assert [(row["row"], row["category"][len(BASE):], row["change"]) for row in rows] == [
        (4, "id/offence-type/phishing-fraud", -18.0)]
