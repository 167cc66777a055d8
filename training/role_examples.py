"""Clause-role examples written for this project, in the styles PA-X data lacks: news reports about
talks, remarks quoted in news and in transcripts, accounts of agreements by encyclopedias and third
parties, and the furniture of web pages and signature blocks.

PA-X gives operative clauses (provisions, quoted clauses), recitals (preambles of full texts) and
third-person accounts (coders' descriptions), but no news prose, no quoted remarks and few
signature blocks. These are made from templates over invented names, places and events (never
from a real article), so the role model sees many wordings of each. ``examples(seed)`` returns
(role, text, template) triples; the same seed gives the same list.
"""

from __future__ import annotations

import random

PLACES = ["Valdoria", "Eastland", "Westmark", "the Northern Province", "Karsa", "Lumeria", "the Ostrava Valley", "Tessaly",
          "the Delta region", "Marovia", "the Highlands", "Seravan", "Qadir", "the border districts", "Nembu"]
CITIES = ["Geneva", "Doha", "Addis Ababa", "Oslo", "Nairobi", "Vienna", "Kampala", "Astana", "Istanbul", "Juba", "Havana", "Minsk",
          "Amman", "Dakar", "Manila", "Lusaka", "Cairo", "Bogota"]
PARTIES = ["the government", "the rebels", "the Liberation Front", "the armed opposition", "the two delegations", "the mediators",
           "the ruling coalition", "the militia leaders", "the transitional authorities", "the opposition alliance", "both sides",
           "the negotiating teams", "the army", "the People's Movement", "the separatists", "the regional bloc"]
PEOPLE = ["Amara Velen", "Tomas Okri", "Lina Haddad", "Pieter Salo", "Nadia Korrel", "Juma Benti", "Ilse Marrow", "Ravi Tandel",
          "Sofia Arden", "Kofi Mensor", "Mira Dalca", "Hamid Rostan", "Elena Voss", "Samuel Idris", "Yara Khalon", "Oskar Brede"]
TITLES = ["the foreign minister", "a government spokesman", "the chief negotiator", "the UN envoy", "a rebel commander",
          "the mediator", "a senior official", "an opposition spokeswoman", "the prime minister", "a diplomat close to the talks",
          "the head of the delegation", "the special representative", "an analyst", "a local activist", "the army chief"]
TOPICS = ["a ceasefire", "the release of prisoners", "the return of refugees", "power-sharing", "the disarmament of fighters",
          "elections", "the status of the capital", "humanitarian access", "the withdrawal of troops", "a new constitution",
          "compensation for victims", "the demarcation of the border", "land reform", "an amnesty", "the integration of militias",
          "the protection of civilians", "missing persons", "the reopening of roads", "sharing oil revenues", "federalism"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend", "last week", "earlier this month",
        "late on Sunday", "this morning", "overnight", "in March", "after midnight", "two days ago", "yesterday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

REPORT = [
    "Talks between {party} and {party2} resumed in {city} {day} after a pause of three months.",
    "{Party} and {party2} met in {city} {day} but failed to narrow their differences on {topic}.",
    "The negotiations, hosted by {city}, are the first direct contact between the sides since the fighting began.",
    "Delegates spent most of the session discussing {topic}, according to people familiar with the meeting.",
    "Fighting continued in {place} while the delegations met, with reports of shelling near the front line.",
    "The meeting ended without a joint statement, and no date was set for the next round.",
    "Observers say the two sides remain far apart on {topic} and {topic2}.",
    "{Party} walked out of the talks {day}, accusing {party2} of bad faith.",
    "The previous round of talks collapsed over {topic}.",
    "Hundreds of people protested in the capital {day}, demanding progress on {topic}.",
    "The conflict in {place} has killed thousands of people and displaced more than a million since it began.",
    "Diplomats expect the talks to continue for several weeks, with {topic} at the top of the agenda.",
    "{Party} had earlier rejected a proposal on {topic} put forward by the mediators.",
    "The two sides agreed {day} to meet again in {city} next month, officials said.",
    "Negotiators reached a preliminary understanding on {topic}, but details were not released.",
    "The deal, signed in {city} {day}, is expected to be followed by further talks on {topic}.",
    "Under the agreement announced {day}, {party} will {commit}, officials said.",
    "The accord provides for {topic} and sets up a commission to oversee it, according to a copy seen by reporters.",
    "{Party} has agreed to {commit}, a spokesman told reporters in {city}.",
    "The document outlines {topic} and a timetable for {topic2}.",
    "The statement also calls on the international community to support {topic}.",
    "The text of the agreement has not yet been published.",
    "Previous agreements on {topic} were never fully implemented, analysts note.",
    "The agreement follows months of secret contacts brokered by {city}.",
    "Aid agencies welcomed the announcement but warned that {topic} would take time.",
    # an encyclopedia's account of an agreement and its aftermath
    "The agreement provided for {topic} and {topic2}, and set up a joint commission to monitor them.",
    "By {month} {yyyy} most of the provisions on {topic} had been implemented, but {topic2} was delayed.",
    "The conflict in {place} began in {yyyy}, when {party} took control of several districts.",
    "Earlier agreements on {topic}, signed in {yyyy} and {yyyy}, collapsed within months.",
    # a third party's statement on an agreement (the UN, a regional body, a foreign ministry)
    "The Secretary-General welcomes the signing in {city} of the agreement between {party} and {party2}.",
    "He calls on the parties to implement the agreement in good faith, including its provisions on {topic}.",
    "The European Union stands ready to support the parties in the implementation of {topic}.",
    "The Council commends the parties for their commitment to dialogue and urges them to make progress on {topic}.",
    # a live page's entries
    "{hh}:{mm} GMT {Title} tells reporters that {topic} is still being discussed.",
    "{hh}:{mm} Delegations have returned to the conference hall after a break, our correspondent says.",
    "Residents of {place} said the situation remained tense despite the announcement.",
    "The talks were postponed {day} after {party} failed to arrive in {city}.",
    "The envoy briefed the Security Council on the progress of the talks {day}.",
    "Both delegations left {city} {day} without comment.",
    "The sides exchanged draft proposals on {topic}, sources close to the talks said.",
    "Local media reported that {number} prisoners were freed {day} as part of the deal.",
    "Official figures show that {party} currently holds {number} detainees.",
    "The ceasefire announced {day} was broken within hours, residents of {place} reported.",
    "A first group of {number} refugees returned to {place} {day}, the UN refugee agency said.",
    "{Party} said {day} it would not sign any deal that did not address {topic}.",
    "It was the third meeting of the joint commission this year.",
    "The agreement is the latest in a series of attempts to end the conflict in {place}.",
    "The summit in {city} brought together the leaders of {party} and {party2} for the first time.",
    "Experts from both countries met online {day} to review progress on {topic}.",
    "The working group is expected to publish its report on {topic} by the end of {month}.",
    "Critics argue that the deal does little to address {topic}.",
    "The government has come under pressure from hardliners who oppose {topic}.",
    "Since the war ended, little progress has been made on {topic}.",
    "The mediators presented a new draft on {topic} {day}, which {party} is still studying.",
    "Reporters were not allowed into the venue, and the talks took place behind closed doors.",
    "The foreign ministers were due to meet in {city} {day}, but the meeting was cancelled at short notice.",
    "In a statement issued after the meeting, {party} said it remained committed to dialogue.",
    "The sides reaffirmed their commitment to {topic}, according to a readout released by the mediators.",
    "Both parties agreed that {topic} would be discussed at the next round, the envoy's office said.",
    "The ministers also discussed {topic} and the situation in {place}, the ministry said.",
    # what advocates demand and commentators expect of a deal: reported, not agreed
    "{Groups} have called for {topic} to be part of any agreement.",
    "{Groups} have urged the negotiators not to forget {topic}.",
    "{Groups} say they will not accept a deal that leaves out {topic}.",
    "Any lasting deal would have to address {topic}, analysts say.",
    "A settlement would need to include {topic} and {topic2}, according to experts in {city}.",
]
GROUPS = ["Civil society organisations", "Human rights groups", "Women's organisations", "Victims' associations", "Aid agencies",
          "Church leaders", "Opposition parties", "Refugee groups", "Student unions", "Veterans' associations"]
COMMITS = ["release all detainees within a month", "withdraw its forces from {place}", "hold elections next year", "allow aid convoys into {place}",
           "disarm its fighters", "form a unity government", "reopen the border crossings", "return seized property",
           "stop attacks on civilians", "set up a truth commission", "integrate its fighters into the army"]
QUOTED = [
    "\"We are ready to sign a peace deal tomorrow if the other side shows goodwill,\" {title} said.",
    "\"There will be no peace without justice for the victims,\" {person} told reporters in {city}.",
    "\"The ceasefire must be respected by everyone,\" said {person}, {title}.",
    "\"We have made real progress on {topic},\" {title} said after the meeting.",
    "{Person} said the talks had been \"constructive and frank\".",
    "\"Our people are tired of war,\" {person} said. \"We want our children to go back to school.\"",
    "\"This is a historic day for {place},\" {title} told a news conference.",
    "\"We will not accept any agreement that divides our country,\" {person} said.",
    "{Title} described the meeting as \"a step in the right direction\".",
    "\"The prisoners must be released without conditions,\" {person} said in a televised address.",
    "\"Nobody should expect miracles from one round of talks,\" {title} cautioned.",
    "According to {person}, {title}, \"the door to dialogue remains open\".",
    "\"The other side keeps changing its demands,\" {person} complained.",
    "{Person} told the agency that {party} \"will respect every word of the agreement\".",
    "\"We call on {party} to stop the shelling of {place} immediately,\" {title} said.",
    "\"We agreed to meet again next month and to keep working on {topic},\" {person} said.",
    "Asked about {topic}, {person} said: \"That is a matter for the next round.\"",
    "\"I am cautiously optimistic,\" {person} said, adding that \"much work remains\".",
    "{Title} said in a post on social media that {party} was \"fully committed to peace\".",
    "\"Women must have a seat at the table,\" said {person}, who leads a women's rights group in {place}.",
    "\"We demand an international investigation into what happened in {place},\" {person} said.",
    "{Person}, speaking on condition of anonymity, said the deal was \"very close\".",
    "\"The government shall not negotiate under fire,\" {title} declared.",
    "\"Our forces will withdraw as soon as the monitors arrive,\" {title} said.",
    # a transcript of a press conference or an interview: speakers' turns, no quotation marks
    "{PERSON_UP}: I think we made progress today, but I do not want to raise expectations.",
    "MINISTER {SURNAME_UP}: As I said this morning, we signed the text because our people wanted it.",
    "{PERSON_UP}: I was in {city} last week and I told them exactly what I am telling you now.",
    "QUESTION: Will there be {topic} for the fighters?",
    "Q: When will {topic} be discussed?",
    "A: That is a question for the next round of talks. It is not in today's agreement.",
    "{PERSON_UP}: I can only repeat what I said this morning. The text will be published when it is signed.",
    "MODERATOR: Thank you. The heads of delegation will now take questions.",
    "INTERVIEWER: What happens if the ceasefire is violated?",
]
# readers' comments under a news page: remarks of people, like quoted speech
COMMENTS = [
    "I don't trust any of these politicians, they have been promising peace for years.",
    "Why should we believe them this time? Nothing ever changes.",
    "This is a joke. Our people deserve better leaders.",
    "Thank you for this article, finally someone tells the truth about {place}.",
    "@{Person} you clearly have never lived there.",
    "We must all stand together and never give up our land!",
    "What are we waiting for? Time to act before it is too late.",
    "Great analysis as always. Keep up the good work.",
    "I was born in {place} and I can tell you the situation is much worse than described.",
    "Shame on {party}. History will judge them.",
    "Are we really going to accept this? I say no.",
    "Reply",
    "{n} Comments",
    "Peace will only come when both sides stop listening to extremists.",
    "My grandfather fought in that war and he always said the same thing.",
    "Does anyone know when the next round of talks is?",
]
FURNITURE = [
    "For the Government of {place}:", "For {party_cap}", "On behalf of {party}", "{Person}", "{Person}, Chairperson", "{Person}\n{Title_cap}",
    "Witnessed by:", "Witness", "Signed:", "Signature", "{Person}, Special Envoy of the Secretary-General", "In the presence of:",
    "Done at {city}, on {dd} {month} {yyyy}, in three original copies.", "Done in {city} this {dd}th day of {month}, {yyyy}.",
    "Signed in {city} on {dd} {month} {yyyy}", "{city_up}, {dd} {month} {yyyy}", "{city_up} ({agency}) -", "{dd} {month} {yyyy}",
    "By {Person}", "By {Person} and {Person2}", "Posted {dd} {month} {yyyy}", "Updated: {dd} {month} {yyyy} {hh}:{mm}",
    "Photo: {Person}/{agency}", "Related: {topic_cap} talks resume", "Share this article", "Read more", "Subscribe to our newsletter",
    "P.O. Box {number}, {city}", "{number} Independence Avenue, {city}", "Tel: +{number} {number} {number}", "Email: info@{domain}.org",
    "www.{domain}.org", "Page {n} of {n2}", "Annex {n}", "Appendix: List of signatories", "Advertisement", "Most read",
    "{agency} / {city}", "Reporting by {Person}; editing by {Person2}", "Copyright {yyyy} {agency}. All rights reserved.",
    "Contact: press office, Ministry of Foreign Affairs", "Home | World | {place_cap}", "Follow us on social media",
    "Leave a comment", "Print this page", "{n} minute read", "Image caption: Delegates in {city}", "Source: {agency}",
]
RECITAL = [
    "Recalling the previous agreements concluded between the Parties, in particular the agreement on {topic},",
    "Considering that {topic} is essential for lasting peace in {place},",
    "Determined to put an end to the conflict and to its consequences for the civilian population,",
    "Reaffirming their commitment to the sovereignty, unity and territorial integrity of {place},",
    "Bearing in mind the suffering caused by the war to the people of {place},",
    "Acknowledging the role of the mediators and of the international community,",
    "Convinced that dialogue is the only way to resolve the conflict,",
    "Noting with concern the humanitarian situation in {place},",
    "Guided by the principles of the Charter of the United Nations,",
    "Welcoming the efforts of {city} to facilitate the talks,",
    "Desiring to build confidence between their communities,",
    "Whereas the Parties have expressed their wish to settle their differences peacefully;",
    "Mindful of the need to address {topic} and {topic2},",
    "Emphasizing the importance of the participation of women in the peace process,",
    "Expressing their gratitude to the Government of {place} for hosting the negotiations,",
    "Taking into account the outcome of the consultations held in {city},",
]
LEAD_INS = ["Have agreed as follows:", "HAVE AGREED AS FOLLOWS:", "Hereby agree as follows:", "The Parties have agreed on the following:",
            "Agree on the following:", "have agreed on the following points:", "Have decided as follows:", "Have agreed upon the following:"]
AGENCIES = ["Reuters", "AFP", "AP", "Xinhua", "Anadolu", "Daily Monitor", "The Herald", "Radio Free Valley", "Capital Times"]


def _fill(template: str, rng: random.Random) -> str:
    person, person2 = rng.sample(PEOPLE, 2)
    party, party2 = rng.sample(PARTIES, 2)
    topic, topic2 = rng.sample(TOPICS, 2)
    title = rng.choice(TITLES)
    place = rng.choice(PLACES)
    values = {
        "person": person, "Person": person, "Person2": person2, "party": party, "party2": party2,
        "Party": party[0].upper() + party[1:], "party_cap": party.title(), "topic": topic, "topic2": topic2,
        "topic_cap": topic[0].upper() + topic[1:], "title": title, "Title": title[0].upper() + title[1:], "Title_cap": title.title(),
        "place": place, "place_cap": place.replace("the ", "").title(), "city": rng.choice(CITIES), "day": rng.choice(DAYS),
        "month": rng.choice(MONTHS), "number": str(rng.choice([12, 32, 55, 80, 140, 200, 350, 1200])),
        "dd": str(rng.randint(1, 28)), "yyyy": str(rng.randint(1995, 2023)), "hh": f"{rng.randint(0, 23):02d}",
        "mm": f"{rng.randint(0, 59):02d}", "agency": rng.choice(AGENCIES), "domain": rng.choice(["peacetalks", "mediation-desk", "valnews"]),
        "n": str(rng.randint(1, 9)), "n2": str(rng.randint(10, 30)),
    }
    if "{Groups}" in template:
        values["Groups"] = rng.choice(GROUPS)
    values["city_up"] = values["city"].upper()
    values["PERSON_UP"], values["SURNAME_UP"] = person.upper(), person.split()[-1].upper()
    values["commit"] = rng.choice(COMMITS).format(**values)
    return template.format(**values)


def _curly(text: str) -> str:
    """Straight double quotes as typeset ones: opening after a space or at the start, closing elsewhere."""
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out).replace("'", "\u2019")


def examples(seed: int = 0, per_template: int = 10) -> list[tuple[str, str, int]]:
    """(role, text, template) triples: ``per_template`` fillings of every report, quoted-speech (and readers' comment),
    furniture and recital template (``template`` numbers it, so a held-out test can leave whole
    templates out), and the lead-in lines that open an agreement's provisions (furniture: they
    announce provisions but commit to nothing themselves)."""
    rng = random.Random(seed)
    out = {}
    for role, templates in (("report", REPORT), ("quoted", QUOTED + COMMENTS), ("furniture", FURNITURE), ("recital", RECITAL)):
        for n, template in enumerate(templates):
            for _ in range(per_template):
                text = _fill(template, rng)
                if rng.random() < 0.5:  # web pages typeset quotation marks
                    text = _curly(text)
                out.setdefault((role, text), n)
    for n, line in enumerate(LEAD_INS):
        out.setdefault(("furniture", line), len(FURNITURE) + n)
    return [(role, text, n) for (role, text), n in out.items()]
