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


# ------------------------------------------------------------------ issue 13: competency questions as users ask them


def test_budapest_articles_2_to_6_in_the_kazakh_code(store):
    """Art. 2 (illegal access) ~ Art. 205, 4 (data interference) ~ 206, 5 (system interference) ~ 207, 6 (misuse of
    devices) ~ 210 (malicious programs); Art. 3 (illegal interception) has no counterpart, and a record says so. The
    Convention's titles and the Code's titles are the official ones (FACTS §14.2-14.3); the correspondences are the
    editors' analysis, held with medium certainty."""
    rows = store.select(competency("budapest-articles-2-6-in-kz-code"))
    assert [(r["number"], r["counterpartNumber"]) for r in rows] == [
        ("2", "205"), ("3", None), ("4", "206"), ("5", "207"), ("6", "210")]
    assert [r["noCounterpartRecorded"] for r in rows] == [False, True, False, False, False]
    assert {r["certainty"] for r in rows if r["counterpartNumber"]} == {"https://w3id.org/infosec-law-kg/ontology#medium"}


def test_instruments_kazakhstan_is_party_to_and_since_when(store):
    """FACTS §3 KZ-11 (fn 13, 28): the 2018 CIS Agreement, ratified by Law No 277-VI of 9 December 2019; the 2001 CIS
    Agreement (in force for Kazakhstan, external, no date known); not party to the Convention on Cybercrime (§14.3)."""
    rows = {(r["instrument"][len(BASE):], r["status"]): r for r in store.select(competency("kz-instruments-since"))}
    assert set(rows) == {("eli/cis/agreement/2018/information-technologies", "party"),
                         ("eli/cis/agreement/2001/computer-information", "party"),
                         ("eli/coe/convention/2001/cybercrime", "not party")}
    ratified = rows[("eli/cis/agreement/2018/information-technologies", "party")]
    assert ratified["ratifyingAct"] == BASE + "eli/kz/law/2019/277-VI" and ratified["since"] == "2019-12-09"
    assert rows[("eli/cis/agreement/2001/computer-information", "party")]["since"] is None


def test_statements_resting_on_uncertain_readings(store):
    """FACTS §13: U1 (fn 2 cites Art. 210), U2 (the month of Law 277-VI), U11 (appropriation in the Model Code's
    chapter), U12 (coercion and transfer of an electronic product in the Chapter 7 list), U19 (the "Convention on
    Computer Crimes" is the Convention on Cybercrime)."""
    rows = store.select(competency("uncertain-statements"))
    found = {(r["note"][len(BASE):], r["subject"][len(BASE):], r["predicate"].rsplit("#", 1)[1],
              r["object"][len(BASE):] if r["object"].startswith(BASE) else r["object"]) for r in rows}
    assert found == {
        ("id/note/u1", "id/location/fn-2", "cites", "eli/kz/code/2014/226-V/art_210"),
        ("id/note/u2", "eli/kz/law/2019/277-VI", "date_document", "2019-12-09"),
        ("id/note/u11", "eli/cis/model-code/criminal/chp_information-security", "criminalises", "id/offence-type/appropriation"),
        ("id/note/u12", "eli/kz/code/2014/226-V/chp_7", "criminalises", "id/offence-type/coercion"),
        ("id/note/u12", "eli/kz/code/2014/226-V/chp_7", "criminalises", "id/offence-type/transfer-of-electronic-product"),
        ("id/note/u19", "eli/int/convention/computer-crimes", "sameInstrumentAs", "eli/coe/convention/2001/cybercrime")}
    # the four certain offence types of the Chapter 7 list are not flagged
    assert not any(r["object"].endswith(("/unlawful-access", "/destruction", "/distribution")) for r in rows)


def test_every_state_with_kazakh_russian_and_english_names(store):
    """FACTS §5: the 13 states with their Kazakh names as the article prints them; each also has a Russian and an
    English name."""
    rows = {r["state"][len(BASE + "id/state/"):]: r for r in store.select(competency("state-names"))}
    assert {cc: r["kkName"] for cc, r in rows.items()} == {
        "kz": "Қазақстан Республикасы", "by": "Беларусь Республикасы", "tj": "Тәжікстан",
        "uz": "Өзбекстан Республикасы", "ru": "Ресей Федерациясы", "tm": "Түрікменстан", "kg": "Қырғыз Республикасы",
        "am": "Армения Республикасы", "ge": "Грузия", "az": "Әзірбайжан Республикасы", "lv": "Латвия Республикасы",
        "ee": "Эстония", "us": "Америка Құрама Штаттары"}
    assert all(r["ruName"] and r["enName"] for r in rows.values())


def test_table_1_2022_vs_2023_printed_and_recomputed(store):
    """FACTS §10.1: the printed counts, the printed change and the change computed from the printed figures
    (+44.9 %, +44.1 %, +50.0 %, -17.8 %, x5.98)."""
    rows = store.select(competency("table-1-2022-vs-2023"))
    assert [(r["row"], float(r["count2022"]), float(r["count2023"]), r["printedChange"], float(r["recomputed"]))
            for r in rows] == [
        (1, 8900.0, 12900.0, "+ 46,3 %", 44.9), (2, 5900.0, 8500.0, "+ 41,8 %", 44.1),
        (3, 1600.0, 2400.0, "+ 53,8 %", 50.0), (4, 461.0, 379.0, "- 18 %", -17.8), (5, 41.0, 245.0, "+ 6 есе", 5.98)]
