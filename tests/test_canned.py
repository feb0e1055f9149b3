"""The canned-query registry (`kg.services.canned`) and every canned query's answer, checked against the fact sheet
(`../shared/domain/FACTS.md`) on the project's graph."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph
import pytest

from kg.services import canned
from kg.core.errors import InvalidParameter
from kg.store.bindings import bind
from kg.rdf.terms import python_value

from helpers import BASE

CC = BASE + "eli/kz/code/2014/226-V"
COE = BASE + "eli/coe/convention/2001/cybercrime"
KZ = BASE + "id/state/kz"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def queries() -> dict[str, canned.CannedQuery]:
    return canned.load()


@pytest.fixture(scope="module")
def ask(store, queries):
    """Run a canned query by name with keyword parameters; rows as plain Python values."""
    def run(name: str, **values: str) -> list[dict]:
        result = canned.run(store, queries[name], values.items())
        return [{k: python_value(row.get(k)) for k in result.variables} for row in result.rows]
    return run


# ------------------------------------------------------------------ the registry


def test_registry_holds_the_queries_of_the_issue(queries):
    assert {"statute-articles", "provisions-by-concept", "gap-analysis", "instrument-gaps", "offence-placements",
            "state-instruments", "normative-acts", "crime-statistics", "legal-definitions", "label-search",
            "about-resource"} <= set(queries)


@pytest.mark.parametrize("name", sorted(canned.load()))
def test_every_query_has_complete_metadata_and_a_working_example(store, queries, name):
    query = queries[name]
    assert set(query.titles) == {"en", "ru", "kk"} and all(query.titles.values())
    assert query.description and query.examples
    for example in query.metadata()["examples"]:
        result = canned.run(store, query, parse_qsl(example))
        assert result.rows, f"the example of {name} returns nothing"


@pytest.mark.parametrize("name", sorted(canned.load()))
def test_answers_are_the_same_with_an_inline_values_block(store, queries, name):
    """The remote store sends bindings as a VALUES block in the WHERE group; the queries must not depend on
    Oxigraph's substitution to see their parameters."""
    def rows(result):  # GROUP_CONCAT lists have no defined order: compare their items as sorted words
        return sorted(str(sorted((k, sorted(v.value.replace(";", " ").split())) for k, v in row.items()))
                      for row in result.rows)

    query = queries[name]
    for example in query.examples:
        bindings = query.bindings(parse_qsl(example))
        assert rows(store.query(query.text, bindings=bindings)) == rows(store.query(bind(query.text, bindings)))


def test_adding_a_query_is_adding_a_file(tmp_path: Path):
    (tmp_path / "count-states.rq").write_text(
        "# name: count-states\n# title@en: States\n# title@ru: Государства\n# title@kk: Мемлекеттер\n"
        "# description: How many states.\n# param: kind | iri | default=https://w3id.org/infosec-law-kg/ontology#State"
        " | The class\n# example: kind=https://w3id.org/infosec-law-kg/ontology#State\n"
        "SELECT ?kind (COUNT(?s) AS ?n) WHERE { ?s a ?kind } GROUP BY ?kind\n", encoding="utf-8")
    registry = canned.load(tmp_path)
    assert list(registry) == ["count-states"]
    assert registry["count-states"].parameters[0].default == BASE + "ontology#State"


MALFORMED = {
    "no name": "# title@en: x\n# title@ru: x\n# title@kk: x\n# description: x\nSELECT * {}",
    "name differs from file": "# name: other\n# title@en: x\n# title@ru: x\n# title@kk: x\nSELECT * {}",
    "missing kk title": "# name: broken\n# title@en: x\n# title@ru: x\nSELECT * {}",
    "unknown type": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: a | float | required | x\n",
    "bad use": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: a | iri | maybe | x\n",
    "reserved name": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: format | string | optional | x\n",
    "not a variable": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: a-b | string | optional | x\n",
    "bad default": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: y | year | default=soon | x\n",
    "bad example": "# name: broken\n# title@en: x\n# title@ru: x\n# title@kk: x\n# param: y | year | optional | x\n"
                   "# example: y=abc\n",
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_header_is_refused(text):
    with pytest.raises(ValueError):
        canned.parse(text, "broken")


# ------------------------------------------------------------------ parameters: typed terms, clear errors

TERMS = [
    ("iri", BASE + "id/state/kz", pyoxigraph.NamedNode(BASE + "id/state/kz")),
    ("iri", "id/state/kz", pyoxigraph.NamedNode(BASE + "id/state/kz")),  # a path under the base
    ("string", 'x") } ; DROP ALL ; #', pyoxigraph.Literal('x") } ; DROP ALL ; #')),
    ("language", "en-t-kk", pyoxigraph.Literal("en-t-kk")),
    ("language", "RU", pyoxigraph.Literal("ru")),
    ("integer", "+42", pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode(XSD + "integer"))),
    ("date", "2019-12-09", pyoxigraph.Literal("2019-12-09", datatype=pyoxigraph.NamedNode(XSD + "date"))),
    ("year", "2023", pyoxigraph.Literal("2023", datatype=pyoxigraph.NamedNode(XSD + "gYear"))),
]


@pytest.mark.parametrize(("kind", "value", "term"), TERMS)
def test_values_become_typed_terms(kind, value, term):
    assert canned.Parameter("p", kind, True, None, "").term(value, BASE) == term


BAD_VALUES = [
    ("iri", "http://x y", "parameter 'p': expected an IRI"),
    ("iri", 'x> } ; DROP ALL ; #', "parameter 'p': expected an IRI"),
    ("string", "x" * 1001, "parameter 'p': expected a text of at most 1000 characters"),
    ("language", "en_GB", "parameter 'p': expected a BCP 47 language tag"),
    ("integer", "4.2", "parameter 'p': expected an integer like 42, got '4.2'"),
    ("date", "2023-02-30", "parameter 'p': expected a date like 2019-12-09, got '2023-02-30'"),
    ("year", "abc", "parameter 'p': expected a year like 2023, got 'abc'"),
]


@pytest.mark.parametrize(("kind", "value", "message"), BAD_VALUES)
def test_bad_values_name_the_parameter_and_what_was_expected(kind, value, message):
    with pytest.raises(InvalidParameter) as error:
        canned.Parameter("p", kind, True, None, "").term(value, BASE)
    assert str(error.value).startswith(message)
    assert error.value.http_status == 400


REQUEST_ERRORS = [
    ("statute-articles", [("chapter", CC + "/chp_7")], "parameter 'statute' is required"),
    ("statute-articles", [("statute", CC), ("colour", "red")], "unknown parameter 'colour'"),
    ("statute-articles", [("statute", CC), ("lang", "en"), ("lang", "ru")], "parameter 'lang' is given more than once"),
    ("label-search", [("text", "")], "parameter 'text' is required"),
    ("crime-statistics", [("year", "twenty")], "parameter 'year': expected a year like 2023, got 'twenty'"),
]


@pytest.mark.parametrize(("name", "values", "message"), REQUEST_ERRORS)
def test_request_errors(queries, name, values, message):
    with pytest.raises(InvalidParameter, match=message):
        queries[name].bindings(values)


def test_defaults_are_bound_and_unset_optionals_stay_unbound(queries):
    bindings = queries["statute-articles"].bindings([("statute", CC)])
    assert bindings == {"statute": pyoxigraph.NamedNode(CC), "lang": pyoxigraph.Literal("en")}


def test_sparql_syntax_in_a_value_is_plain_data(store, ask):
    before = len(store)
    assert ask("label-search", text='x") } ; DROP ALL ; #') == []
    assert ask("label-search", text='"}') == []
    assert len(store) == before


# ------------------------------------------------------------------ a. articles of a statute (FACTS §3.1, §14.2)


def test_a_kz_criminal_code_chapter_7_in_numeric_order(ask):
    rows = ask("statute-articles", statute=CC, chapter=CC + "/chp_7")
    # the article cites 205, 208-213; 206 and 207 come only from graph/external.ttl
    assert [r["number"] for r in rows] == ["205", "206", "207", "208", "209", "210", "211", "212", "213"]
    assert {r["partOf"] for r in rows} == {CC + "/chp_7"}
    assert rows[0]["title"] == "Article 205 of the Criminal Code of the Republic of Kazakhstan"


def test_a_titles_in_russian_fall_back_where_there_is_none(ask):
    rows = {r["number"]: r for r in ask("statute-articles", statute=CC, chapter=CC + "/chp_7", lang="ru")}
    assert rows["205"]["title"] == "Неправомерный доступ к информации, в информационную систему или сеть телекоммуникаций"
    assert rows["209"]["title"] == "Принуждение к передаче информации"
    assert rows["205"]["titleLang"] == "ru"
    # no official Russian title of Art. 213 in the graph: the editors' Russian label (issue 13), tagged as a translation
    assert rows["213"]["titleLang"] == "ru-t-kk"


def test_a_titles_in_kazakh(ask):
    rows = {r["number"]: r for r in ask("statute-articles", statute=CC, lang="kk")}
    assert rows["207"]["title"] == "Ақпараттық жүйенің немесе телекоммуникациялар желісінің жұмысын бұзу"
    assert rows["205"]["title"] == "205 бап (Қазақстан Республикасының Қылмыстық кодексі)"


def test_a_numeric_not_lexical_order_and_chapter_is_optional(ask):
    rows = ask("statute-articles", statute=COE)
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 11)]
    assert rows[1]["title"] == "Illegal access"
    assert [r["number"] for r in ask("statute-articles", statute="eli/kz/code/1994/268-XIII")] == ["115", "126"]


def test_a_chapter_of_another_act_gives_nothing(ask):
    assert ask("statute-articles", statute=COE, chapter=CC + "/chp_7") == []


# ------------------------------------------------------------------ b. by offence type / protected object (§6, §7)


def test_b_unlawful_access_is_criminalised_by(ask):
    rows = ask("provisions-by-concept", concept=BASE + "id/offence-type/unlawful-access")
    assert {r["provision"].removeprefix(BASE) for r in rows} == {
        "eli/kz/code/2014/226-V/chp_7", "eli/kz/code/2014/226-V/art_205", "eli/coe/convention/2001/cybercrime",
        "eli/coe/convention/2001/cybercrime/art_2", "eli/cis/agreement/2001/computer-information",
        "eli/cis/model-code/criminal/chp_information-security"}
    assert {r["relation"] for r in rows} == {"https://w3id.org/infosec-law-kg/ontology#criminalises"}
    assert {r["jurisdiction"] for r in rows if r["act"] == CC} == {KZ}


def test_b_narrower_offence_types_are_included(ask):
    rows = ask("provisions-by-concept", concept=BASE + "id/offence-type/distribution")
    matched = {(r["provision"].removeprefix(BASE), r["matched"].removeprefix(BASE)) for r in rows}
    assert ("eli/kz/code/2014/226-V/art_211", "id/offence-type/distribution") in matched
    # pornography distribution is skos:broader distribution: the Convention's Art. 9 comes with it
    assert ("eli/coe/convention/2001/cybercrime/art_9", "id/offence-type/pornography-distribution") in matched


def test_b_right_to_receive_information_is_protected_by(ask):
    rows = ask("provisions-by-concept", concept="id/protected-object/right-to-receive-information")
    assert sorted(r["number"] for r in rows) == ["205", "208", "209", "211", "212", "213"]  # C16
    assert {r["relation"] for r in rows} == {"https://w3id.org/infosec-law-kg/ontology#protects"}


# ------------------------------------------------------------------ c. gap analysis (§14.3 correspondences)


def test_c_budapest_convention_against_kazakhstan(ask):
    rows = ask("gap-analysis", instrument=COE, state=KZ)
    matched = {r["number"]: r["counterpartNumber"] for r in rows if not r["gap"]}
    gaps = [r["number"] for r in rows if r["gap"]]
    # issue 13: Art. 6 (misuse of devices) corresponds to Art. 210 (malicious programs); Art. 3 has no counterpart
    assert matched == {"2": "205", "4": "206", "5": "207", "6": "210"}
    assert gaps == ["1", "3", "7", "8", "9", "10"]
    assert all(r["counterpart"] is None for r in rows if r["gap"])


def test_c_counterpart_titles_follow_the_language(ask):
    rows = {r["number"]: r for r in ask("gap-analysis", instrument=COE, state=KZ, lang="ru")}
    assert rows["2"]["counterpartTitle"].startswith("Неправомерный доступ к информации")


def test_c_a_state_without_correspondences_has_only_gaps(ask):
    assert all(r["gap"] for r in ask("gap-analysis", instrument=COE, state=BASE + "id/state/ru"))


def test_c_instrument_gaps_lists_only_the_gaps(ask):
    rows = ask("instrument-gaps", instrument=COE, state=KZ)
    assert [r["number"] for r in rows] == ["1", "3", "7", "8", "9", "10"]


def test_c_uncertain_statements_of_chapter_7(ask):
    """Issue 13: the two uncertain offence types of the fn 9 list (U12) are flagged as exact statements."""
    rows = ask("uncertain-statements", resource=CC + "/chp_7")
    flagged = {(r["predicate"], r["object"].removeprefix(BASE)) for r in rows}
    assert flagged == {("https://w3id.org/infosec-law-kg/ontology#criminalises", "id/offence-type/coercion"),
                       ("https://w3id.org/infosec-law-kg/ontology#criminalises", "id/offence-type/transfer-of-electronic-product")}
    assert {r["note"].removeprefix(BASE) for r in rows} == {"id/note/u12"}
    assert {r["certaintyNotation"] for r in rows} == {"medium"}


# ------------------------------------------------------------------ d. placements (§5)


def test_d_belarus_and_tajikistan_have_the_model_codes_chapter(ask):
    rows = ask("offence-placements")
    for state in ("by", "tj"):
        mine = [r for r in rows if r["placementState"] == BASE + f"id/state/{state}"]
        chapter = next(r for r in mine if "/chp_" in r["provision"])
        assert chapter["separateChapter"] is True and chapter["approachNotation"] == "A"
        assert chapter["followsModel"] == BASE + "eli/cis/model-code/criminal"
        assert chapter["name"] == "Ақпараттық қауіпсіздікке қарсы қылмыстар"
        assert "DISC" in chapter["sources"]


def test_d_latvia_spreads_the_offences_over_two_chapters(ask):
    rows = ask("offence-placements", state="id/state/lv")
    assert {r["name"] for r in rows} == {"Меншік саласындағы қылмыстар", "Қоғамдық қауіпсіздікке қарсы қылмыстар"}
    assert {r["separateChapter"] for r in rows} == {False}
    assert {r["approachNotation"] for r in rows} == {"E"}
    assert all("DISC" in r["sources"] and "fn 24" in r["sources"] for r in rows)


def test_d_every_state_of_the_article_and_kazakhstans_chapter_7(ask):
    rows = ask("offence-placements")
    assert {r["placementState"].rsplit("/", 1)[1] for r in rows} == {
        "kz", "by", "tj", "uz", "ru", "tm", "kg", "am", "ge", "az", "lv", "ee", "us"}
    kz = next(r for r in rows if r["placementState"] == KZ)
    assert kz["provision"] == CC + "/chp_7" and kz["separateChapter"] is True


# ------------------------------------------------------------------ e. instruments of a state (§3 KZ-11, §14.3)


def test_e_kazakhstan_ratified_the_2018_cis_agreement(ask):
    rows = ask("state-instruments", state=KZ)
    # issue 13: the 2001 CIS Agreement entered into force for Kazakhstan (external evidence); the article gives the
    # 2018 Agreement's ratification
    assert [(r["instrument"], r["status"]) for r in rows[:1]] == [
        (BASE + "eli/cis/agreement/2001/computer-information", "party")]
    assert rows[1:] == [{
        "state": KZ, "lang": "en", "instrument": BASE + "eli/cis/agreement/2018/information-technologies",
        "ratifyingAct": BASE + "eli/kz/law/2019/277-VI", "actNumber": "277-VI", "actDate": "2019-12-09",
        "status": "ratified",
        "instrumentLabel": "Agreement of the CIS member states of 2018 on cooperation in combating crimes in the "
                           "sphere of information technologies",
        "actLabel": "Law of the Republic of Kazakhstan \"On ratification of the Agreement on cooperation of the CIS "
                    "member states in combating crimes in the sphere of information technologies\""}]


def test_e_armenia_is_party_to_the_convention_russia_to_nothing(ask):
    rows = ask("state-instruments", state="id/state/am")
    # issue 13: Armenia's ratification of CETS 185 is recorded (Treaty Office chart); it is party to the 2001 CIS Agreement
    assert sorted((r["instrument"], r["status"], r["ratifyingAct"]) for r in rows) == [
        (BASE + "eli/cis/agreement/2001/computer-information", "party", None), (COE, "ratified", None)]
    assert ask("state-instruments", state="id/state/ru") == []


# ------------------------------------------------------------------ f. Kazakhstan's normative acts (§3)


def test_f_the_eleven_kazakh_acts(ask):
    rows = ask("normative-acts")
    assert len(rows) == 11
    numbers = {r["number"] for r in rows if r["number"]}
    assert numbers == {"226-V", "268-XIII", "527-IV", "418-V", "94-V", "401-V", "407", "832", "277-VI"}
    by_number = {r["number"]: r for r in rows}
    assert by_number["527-IV"]["date"] == "2012-01-06"
    assert by_number["527-IV"]["officialUrl"] == "https://adilet.zan.kz/kaz/docs/Z1200000527"
    assert by_number["407"]["typeLabel"] == "Government decree"
    assert set(by_number["277-VI"]["officialUrl"].split()) == {
        "https://adilet.zan.kz/rus/docs/Z1900000277", "https://adilet.zan.kz/kaz/docs/Z1900000277"}
    assert [r["date"] for r in rows if r["date"]] == sorted(r["date"] for r in rows if r["date"])


def test_f_only_the_acts_regulating_information_security(ask):
    rows = ask("normative-acts", field="id/concept/information-security")
    assert len(rows) == 8
    assert {r["act"].removeprefix(BASE) for r in ask("normative-acts")} - {r["act"].removeprefix(BASE) for r in rows} \
        == {"eli/kz/constitution", "eli/kz/code/1994/268-XIII", "eli/kz/law/2019/277-VI"}


# ------------------------------------------------------------------ g. statistics (§10.1 Table 1)


def test_g_table_1_row_2_is_flagged_and_only_it(ask):
    rows = {r["row"]: r for r in ask("crime-statistics", dataset="id/dataset/table-1")}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    assert [n for n, r in rows.items() if r["warning"]] == [2]
    assert "+42.0 %" in rows[2]["warning"] and "+46.2 %" in rows[2]["warning"] and "41,8" in rows[2]["warning"]
    assert (rows[2]["possibleLow"], rows[2]["possibleHigh"]) == (42.0, 46.2)
    assert (rows[2]["value0"], rows[2]["value1"], rows[2]["statedChange"]) == (5900, 8500, 41.8)


def test_g_recomputed_changes(ask):
    rows = {r["row"]: r for r in ask("crime-statistics", dataset="id/dataset/table-1")}
    # FACTS §10.1, "change computed from the printed figures"
    assert {n: r["recomputedChange"] for n, r in rows.items()} == {1: 44.9, 2: 44.1, 3: 50.0, 4: -17.8, 5: 5.98}
    assert rows[5]["measure"].endswith("#changeFactor") and rows[5]["statedPrinted"] == "+ 6 есе"


def test_g_filters_by_year_and_category_with_narrower_ones(ask):
    assert ask("crime-statistics", year="2021") == []
    assert len(ask("crime-statistics", year="2022")) == 8  # 5 Table 1 rows + 3 Diagram 1 changes
    rows = ask("crime-statistics", category="id/offence-type/unlawful-access")
    assert {(r["observedDataset"].rsplit("/", 1)[1], r["row"]) for r in rows} == {("table-1", 5), ("diagram-1", None)}
    diagram = next(r for r in rows if r["row"] is None)
    assert diagram["statedChange"] == -7 and diagram["recomputedChange"] is None and diagram["warning"] is None


# ------------------------------------------------------------------ h. definitions (§6 C1, C4)


def test_h_information_security_is_defined_by_the_2012_law_and_by_nieles(ask):
    rows = ask("legal-definitions", concept="id/concept/information-security")
    assert {r["source"].removeprefix(BASE): r["definer"] for r in rows} == {
        "eli/kz/law/2012/527-IV": None, "id/work/ref-7": BASE + "id/person/nieles-m"}
    nieles = next(r for r in rows if r["definer"])
    assert "unauthorised access, use, disclosure, disruption, modification or destruction" in nieles["text"]


def test_h_texts_in_kazakh(ask):
    rows = {r["source"]: r for r in ask("legal-definitions", concept="id/concept/information-security", lang="kk")}
    assert rows[BASE + "eli/kz/law/2012/527-IV"]["text"].startswith("Ол бүкіл ақпараттық саланың")
    assert rows[BASE + "eli/kz/law/2012/527-IV"]["textLang"] == "kk"


def test_h_computer_data_as_read_and_as_officially_worded(ask):
    rows = ask("legal-definitions", concept="id/concept/computer-data")
    assert {r["source"].removeprefix(BASE) for r in rows} == {
        "eli/coe/convention/2001/cybercrime", "eli/coe/convention/2001/cybercrime/art_1"}


# ------------------------------------------------------------------ i. label search (§6 C7)


@pytest.mark.parametrize("text", ["киберқылмыс", "КИБЕРҚЫЛМЫС", "Киберқылм"])
def test_i_kazakh_search_finds_the_cybercrime_concept_first(ask, text):
    rows = ask("label-search", text=text)
    assert rows[0]["resource"] == BASE + "id/concept/cybercrime" and rows[0]["labelLang"] == "kk"


def test_i_search_in_one_language(ask):
    assert ask("label-search", text="киберқылмыс", lang="en") == []
    rows = ask("label-search", text="киберпреступность", lang="ru")
    assert BASE + "id/concept/cybercrime" in {r["resource"] for r in rows}
    assert {r["labelLang"] for r in ask("label-search", text="criminal code", lang="en")} <= {"en", "en-t-kk"}


# ------------------------------------------------------------------ j. everything about a resource


def test_j_article_205_types_and_links(ask):
    rows = ask("about-resource", resource=CC + "/art_205")
    links = {(r["direction"], r["property"].rsplit("/", 1)[1], r["value"]) for r in rows}
    assert ("type", "22-rdf-syntax-ns#type", BASE + "ontology#Article") in links
    assert ("in", "ontology#has_part", CC + "/chp_7") in links
    assert ("in", "ontology#nationalProvision", BASE + "id/correspondence/kz-205-coe-2") in links
    assert ("in", "ontology#concerns", BASE + "id/claim/kz-cc-right-to-receive-information") in links
    assert ("out", "ontology#number", "205") in links
    chapter = next(r for r in rows if r["value"] == CC + "/chp_7" and r["direction"] == "in")
    assert chapter["valueLabel"] == "Chapter 7 of the Criminal Code of the Republic of Kazakhstan"


def test_a_query_can_receive_its_terms_as_inline_values(store):
    """`# bind: values` (chosen per query by bench/canned_forms.py): the same rows as Oxigraph's substitution."""
    original = canned.load()["statute-articles"]
    inline = canned.parse(original.text.replace("# name:", "# bind: values\n# name:", 1), "statute-articles")
    assert inline.binding == "values" and original.binding == "substitute"
    example = parse_qsl(original.examples[0], keep_blank_values=True)
    rows = lambda query: sorted(map(str, canned.run(store, query, example).rows))  # noqa: E731
    assert rows(inline) == rows(original) and rows(original)


def test_an_unknown_binding_form_is_a_bug_in_the_file():
    text = canned.load()["statute-articles"].text.replace("# name:", "# bind: paste\n# name:", 1)
    with pytest.raises(ValueError, match="bind: paste"):
        canned.parse(text, "statute-articles")
