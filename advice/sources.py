"""The public sources behind backlog's advice: one entry per publication or web page.

Pure Python on purpose (stdlib only), like ``advice.rules``: tests can check citations
without Django. A rule cites a source by its ``short`` name; a numbered recommendation of a
guideline is the short name followed by the number ("NICE NG59 1.2.1"), built with
``cite_section``. docs/clinical-sources.md says what each source is used for.

Pages without a publication year (``year=None``) are living pages that their publisher
revises in place; cite them with the date they were last checked when that matters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    short: str
    title: str
    publisher: str
    year: int | None
    identifier: str
    url: str


SOURCES: tuple[Source, ...] = (
    # Guidelines and clinical summaries.
    Source(
        key="nice_ng59",
        short="NICE NG59",
        title="Low back pain and sciatica in over 16s: assessment and management",
        publisher="National Institute for Health and Care Excellence (NICE)",
        year=2016,
        identifier="NICE guideline NG59 (NCBI Bookshelf NBK401577)",
        url="https://www.nice.org.uk/guidance/ng59",
    ),
    Source(
        key="nice_cks_sciatica",
        short="NICE CKS sciatica",
        title="Sciatica (lumbar radiculopathy)",
        publisher="NICE Clinical Knowledge Summaries (CKS)",
        year=None,
        identifier="",
        url="https://cks.nice.org.uk/topics/sciatica-lumbar-radiculopathy/",
    ),
    Source(
        key="nice_ktt13",
        short="NICE KTT13",
        title="Non-steroidal anti-inflammatory drugs (key therapeutic topic)",
        publisher="National Institute for Health and Care Excellence (NICE)",
        year=None,
        identifier="NICE KTT13",
        url="https://www.nice.org.uk/advice/ktt13",
    ),
    Source(
        key="acp_2017",
        short="ACP 2017",
        title=(
            "Noninvasive Treatments for Acute, Subacute, and Chronic Low Back Pain: "
            "A Clinical Practice Guideline From the American College of Physicians"
        ),
        publisher="Annals of Internal Medicine (American College of Physicians); Qaseem et al.",
        year=2017,
        identifier="doi:10.7326/M16-2367",
        url="https://doi.org/10.7326/M16-2367",
    ),
    Source(
        key="bmj_best_practice_cauda_equina",
        short="BMJ Best Practice, cauda equina",
        title="Cauda equina syndrome",
        publisher="BMJ Best Practice (BMJ Publishing Group)",
        year=None,
        # The topic's own page address is not pinned here: look it up on the site.
        identifier="",
        url="https://bestpractice.bmj.com/",
    ),
    # Patient information pages.
    Source(
        key="nhs_back_pain",
        short="NHS back pain",
        title="Back pain",
        publisher="NHS (nhs.uk)",
        year=None,
        identifier="",
        url="https://www.nhs.uk/conditions/back-pain/",
    ),
    Source(
        key="nhs_sciatica",
        short="NHS sciatica",
        title="Sciatica",
        publisher="NHS (nhs.uk)",
        year=None,
        identifier="",
        url="https://www.nhs.uk/conditions/sciatica/",
    ),
    Source(
        key="nhs_inform_back_pain_self_help",
        short="NHS inform back pain self-help",
        title="Self-help guide: Lower back pain",
        publisher="NHS inform (NHS 24, Scotland)",
        year=None,
        identifier="",
        url="https://www.nhsinform.scot/self-help-guides/self-help-guide-lower-back-pain/",
    ),
    Source(
        key="nhs_inform_exercises_back_pain",
        short="NHS inform exercises for back pain",
        title="Exercises for back pain",
        publisher="NHS inform (NHS 24, Scotland)",
        year=None,
        identifier="",
        url=(
            "https://www.nhsinform.scot/illnesses-and-conditions/muscle-bone-and-joints/"
            "exercises/exercises-for-back-pain/"
        ),
    ),
    # Research papers.
    Source(
        key="eur_spine_j_2011",
        short="Eur Spine J 2011 (PMC3082683)",
        title="Cauda equina syndrome: a review of the current clinical and medico-legal position",
        publisher="European Spine Journal 20(5):690-697; Gardner, Gardner and Morley",
        year=2011,
        identifier="doi:10.1007/s00586-010-1668-3; PMID 21193933; PMCID PMC3082683",
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC3082683/",
    ),
    Source(
        key="cochrane_cd007612",
        short="Cochrane CD007612",
        title=(
            "Advice to rest in bed versus advice to stay active for acute low-back pain "
            "and sciatica"
        ),
        publisher="Cochrane Database of Systematic Reviews; Dahm, Brurberg, Jamtvedt and Hagen",
        year=2010,
        identifier="doi:10.1002/14651858.CD007612.pub2; PMID 20556780",
        url="https://doi.org/10.1002/14651858.CD007612.pub2",
    ),
    Source(
        key="lancet_hartvigsen_2018",
        short="Hartvigsen et al., Lancet 2018",
        title="What low back pain is and why we need to pay attention",
        publisher="The Lancet 391(10137):2356-2367; Hartvigsen et al.",
        year=2018,
        identifier="doi:10.1016/S0140-6736(18)30480-X",
        url="https://doi.org/10.1016/S0140-6736(18)30480-X",
    ),
    Source(
        key="jospt_da_silva_2017",
        short="da Silva et al., JOSPT 2017",
        title="Risk of Recurrence of Low Back Pain: A Systematic Review",
        publisher="Journal of Orthopaedic & Sports Physical Therapy; da Silva et al.",
        year=2017,
        identifier="doi:10.2519/jospt.2017.7415; PMID 28355981",
        url="https://doi.org/10.2519/jospt.2017.7415",
    ),
    Source(
        key="bjsm_owen_2020",
        short="BJSM 2020 (Owen)",
        title=(
            "Which specific modes of exercise training are most effective for treating "
            "low back pain? Network meta-analysis"
        ),
        publisher="British Journal of Sports Medicine 54(21):1279-1287; Owen et al.",
        year=2020,
        identifier="doi:10.1136/bjsports-2019-100886",
        url="https://doi.org/10.1136/bjsports-2019-100886",
    ),
)

SOURCES_BY_KEY: dict[str, Source] = {source.key: source for source in SOURCES}


def short(key: str) -> str:
    return SOURCES_BY_KEY[key].short


def cite(*names: str) -> str:
    """Several citations as one text, "; " between them (each must resolve to a source)."""
    for name in names:
        resolve(name)
    return "; ".join(names)


SOURCES_BY_SHORT: dict[str, Source] = {source.short: source for source in SOURCES}

# The numbered recommendations backlog cites, per source key.
SECTIONS: dict[str, tuple[str, ...]] = {
    "nice_ng59": ("1.1.1", "1.1.2", "1.1.1-1.1.2", "1.2.1"),
}


def cite_section(key: str, section: str) -> str:
    """The short citation of one numbered recommendation, e.g. "NICE NG59 1.2.1"."""
    if section not in SECTIONS.get(key, ()):
        raise ValueError(f"{section!r} is not a known section of {key!r}")
    return f"{SOURCES_BY_KEY[key].short} {section}"


def resolve(name: str) -> Source:
    """The source a cited name points to: a short name or a cited section."""
    if name in SOURCES_BY_SHORT:
        return SOURCES_BY_SHORT[name]
    for key, sections in SECTIONS.items():
        if name in {cite_section(key, section) for section in sections}:
            return SOURCES_BY_KEY[key]
    raise KeyError(name)
