"""Word lists and sentence templates the fixture site writes its English news from."""

FIRST_NAMES = (
    "Anna", "James", "Maria", "David", "Sarah", "Michael", "Laura", "Daniel", "Emma", "Thomas",
    "Olivia", "Robert", "Grace", "William", "Hannah", "Richard", "Chloe", "Joseph", "Amelia",
    "Charles", "Sophie", "Peter", "Rachel", "Andrew", "Helen", "Mark", "Claire", "Paul", "Lucy",
    "Steven", "Karen", "Kevin", "Nadia", "Omar", "Priya", "Rahul", "Mei", "Hiroshi", "Fatima",
    "Ahmed", "Elena", "Carlos", "Ingrid", "Lars", "Aisha", "Samuel", "Rosa", "Victor", "Julia",
    "Martin", "Naomi", "Gabriel", "Irene", "Felix", "Tessa", "Henry", "Alice", "George", "Ruth",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
    "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook",
    "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward",
    "Patel", "Khan", "Nakamura", "Okafor", "Lindqvist", "Moreau", "Rossi", "Novak", "Kowalski",
    "Fischer", "Haddad", "Mensah", "Castillo", "Ivanova", "Sato", "Gallagher", "Fraser", "Hughes",
)  # fmt: skip

PLACES = (
    ("London", "Britain"), ("Paris", "France"), ("Berlin", "Germany"), ("Madrid", "Spain"),
    ("Rome", "Italy"), ("Warsaw", "Poland"), ("Stockholm", "Sweden"), ("Dublin", "Ireland"),
    ("Washington", "the United States"), ("Ottawa", "Canada"), ("Mexico City", "Mexico"),
    ("Brasilia", "Brazil"), ("Buenos Aires", "Argentina"), ("Nairobi", "Kenya"),
    ("Lagos", "Nigeria"), ("Cairo", "Egypt"), ("Johannesburg", "South Africa"),
    ("New Delhi", "India"), ("Tokyo", "Japan"), ("Seoul", "South Korea"), ("Jakarta", "Indonesia"),
    ("Canberra", "Australia"), ("Wellington", "New Zealand"), ("Ankara", "Turkey"),
    ("Athens", "Greece"), ("Lisbon", "Portugal"), ("Vienna", "Austria"), ("Oslo", "Norway"),
    ("Manila", "the Philippines"), ("Hanoi", "Vietnam"), ("Bogota", "Colombia"),
    ("Santiago", "Chile"), ("Accra", "Ghana"), ("Helsinki", "Finland"),
    ("Prague", "the Czech Republic"),
)  # fmt: skip

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SECTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "world": {
        "topics": ("ceasefire talks", "border dispute", "refugee crisis", "peace agreement",
                   "regional summit", "sanctions package", "aid convoy", "election dispute"),
        "orgs": ("the United Nations", "the European Union", "the African Union", "NATO",
                 "the Red Cross", "the foreign ministry", "the World Food Programme"),
        "roles": ("foreign minister", "UN envoy", "senior diplomat", "defence secretary",
                  "aid coordinator", "opposition leader", "prime minister"),
        "things": ("negotiators", "diplomats", "aid workers", "civilians", "observers",
                   "delegations", "residents"),
    },
    "politics": {
        "topics": ("budget bill", "pension reform", "tax plan", "housing strategy",
                   "election campaign", "immigration bill", "spending review", "voting reform"),
        "orgs": ("parliament", "the finance committee", "the opposition party",
                 "the electoral commission", "the supreme court", "the cabinet office"),
        "roles": ("finance minister", "party leader", "committee chair", "senator",
                  "chief whip", "interior minister", "mayor"),
        "things": ("lawmakers", "voters", "campaigners", "backbenchers", "councillors",
                   "ministers", "pollsters"),
    },
    "business": {
        "topics": ("quarterly earnings", "merger deal", "interest rate decision", "factory closure",
                   "wage negotiations", "bond sale", "supply chain overhaul", "takeover bid"),
        "orgs": ("the central bank", "Northwind Holdings", "Meridian Bank", "Atlas Logistics",
                 "the competition regulator", "Harbor Energy", "Crestline Foods"),
        "roles": ("chief executive", "chief economist", "finance director", "union negotiator",
                  "market analyst", "board chairman", "fund manager"),
        "things": ("investors", "shareholders", "workers", "suppliers", "consumers", "traders",
                   "creditors"),
    },
    "technology": {
        "topics": ("data centre expansion", "chip shortage", "privacy rules", "cyber attack",
                   "satellite internet launch", "software outage", "battery factory",
                   "artificial intelligence law"),
        "orgs": ("Quantix Systems", "the data protection authority", "Lumen Networks",
                 "Orbital Labs", "the telecoms regulator", "Vertex Software", "Nimbus Cloud"),
        "roles": ("chief technology officer", "security researcher", "product manager",
                  "privacy commissioner", "software engineer", "industry analyst", "founder"),
        "things": ("users", "developers", "engineers", "customers", "hackers", "regulators",
                   "start-ups"),
    },
    "science": {
        "topics": ("climate study", "space mission", "fossil discovery", "ocean survey",
                   "particle experiment", "drought research", "glacier measurements",
                   "telescope observations"),
        "orgs": ("the national space agency", "the Royal Society", "the marine institute",
                 "the university observatory", "the geological survey", "the climate centre"),
        "roles": ("lead researcher", "professor of geology", "astronomer", "marine biologist",
                  "climate scientist", "mission director", "palaeontologist"),
        "things": ("scientists", "researchers", "students", "astronomers", "field teams",
                   "volunteers", "engineers"),
    },
    "health": {
        "topics": ("vaccine rollout", "hospital waiting lists", "nurses' strike", "flu season",
                   "mental health funding", "drug price cap", "cancer screening programme",
                   "measles outbreak"),
        "orgs": ("the health ministry", "the World Health Organization", "St Mary's Hospital",
                 "the medical association", "the public health agency", "the nursing union"),
        "roles": ("health secretary", "chief medical officer", "hospital director",
                  "epidemiologist", "senior nurse", "general practitioner", "pharmacist"),
        "things": ("patients", "doctors", "nurses", "families", "health workers", "carers",
                   "pharmacists"),
    },
    "sport": {
        "topics": ("championship final", "transfer window", "doping inquiry", "stadium plan",
                   "world cup qualifier", "coaching change", "title race", "marathon record"),
        "orgs": ("the football association", "City Rovers", "the Olympic committee",
                 "United Athletic", "the rugby union", "the tennis federation", "Harbour FC"),
        "roles": ("head coach", "team captain", "club chairman", "sporting director",
                  "striker", "goalkeeper", "referee"),
        "things": ("fans", "players", "supporters", "athletes", "season ticket holders",
                   "coaches", "sponsors"),
    },
    "culture": {
        "topics": ("film festival", "museum exhibition", "book prize", "theatre revival",
                   "concert tour", "heritage restoration", "arts funding cuts", "music awards"),
        "orgs": ("the national gallery", "the arts council", "the opera house",
                 "the city museum", "the film institute", "the literary foundation"),
        "roles": ("artistic director", "curator", "novelist", "film director", "composer",
                  "festival organiser", "critic"),
        "things": ("visitors", "audiences", "artists", "critics", "readers", "musicians",
                   "collectors"),
    },
}  # fmt: skip

SAID = ("said", "told reporters", "said in a statement", "told a news conference", "wrote",
        "said on Tuesday", "added", "said late on Friday")  # fmt: skip

HEADLINE_PATTERNS = (
    "{Org} unveils {topic} as {things} {react}",
    "{City} braces for {topic} after weeks of uncertainty",
    "{Role} defends {topic} amid growing criticism",
    "{Things} {react} over {topic} in {country}",
    "What the {topic} means for {things} in {city}",
    "{Org} delays {topic} until {month}",
    "{Surname} warns {topic} could cost {number} jobs",
    "{Topic}: {things} demand answers from {org}",
    "{Country} agrees {topic} after marathon talks",
    "Inside the {topic} that divided {city}",
    "{Surname} says {topic} will go ahead despite setbacks",
    "{Number} {things} join protest against {topic}",
    "{Topic} faces fresh scrutiny in {city}",
)

REACTIONS = ("cautiously welcome", "voice concern", "push back", "rally", "wait for details",
             "react angrily", "call for calm", "ask hard questions")  # fmt: skip

LEAD_SENTENCES = (
    "{org_cap} on {weekday} announced {a_topic} that {person_role} described as "
    "the most significant change in more than a decade.",
    "{Things} in {city} woke up on {weekday} to news of {a_topic}, a move that had been "
    "expected for months but still caught many by surprise.",
    "Officials in {city} have confirmed {a_topic}, ending weeks of speculation about "
    "how {org} would respond to mounting pressure from {things}.",
    "{person_full}, the {role}, said on {weekday} that {the_topic} would affect roughly "
    "{number} {things} across {country} over the coming year.",
)

BODY_SENTENCES = (
    "\u201c{quote},\u201d {person_short} {said}.",
    "\u201c{quote},\u201d {other_full}, a {other_role}, {said}.",
    "{person_short} {said} that {the_topic} had been discussed in detail with {org}.",
    "According to figures published by {org}, the number of {things} affected rose by "
    "{percent} per cent compared with the same period last year.",
    "The decision follows {a_topic} in {other_city} earlier this year, which drew "
    "sharp criticism from {things}.",
    "Critics argue that the plan does little to address the underlying problems, "
    "while supporters say it is a necessary first step.",
    "{other_full}, a {other_role} who has followed the issue closely, said the details "
    "would matter more than the headline announcement.",
    "In {city}, several {things} said they had not been consulted before the announcement.",
    "The proposal is expected to cost about {number} million {currency} over {small} years.",
    "A spokesperson for {org} declined to comment on the timing of the announcement.",
    "Talks are expected to resume on {weekday}, when {org} will present a revised timetable.",
    "Some {things} gathered outside the offices of {org} on {weekday} evening to demand "
    "clearer answers.",
    "{person_short} acknowledged that the timetable was ambitious but insisted it was "
    "achievable if {things} and {org} worked together.",
    "Similar measures introduced in {other_country} in {year} produced mixed results, "
    "according to an independent review.",
    "Analysts said the announcement could shift the debate ahead of the vote in {month}.",
    "The {role} is due to appear before a parliamentary committee next week to answer "
    "questions about {the_topic}.",
    "Local newspapers in {city} reported that at least {small} senior staff had resigned "
    "over the handling of the matter.",
    "Opinion polls suggest that about {percent} per cent of {things} support the plan, "
    "although the figure has fallen since the spring.",
    "{other_full} told this newspaper that the consultation had been rushed and that "
    "important evidence had been ignored.",
    "The latest report runs to {number} pages and includes {small} recommendations, "
    "most of which {org} has said it will accept.",
    "It is not yet clear how the changes will be funded, or whether further cuts will follow.",
    "Residents of {other_city} said they were watching the situation closely, fearing "
    "similar problems could reach them.",
    "The announcement came on the same day that {org} confirmed the appointment of "
    "{other_full} as its new {other_role}.",
    "Earlier this month, {things} in {other_city} staged a protest that drew an estimated "
    "{number} people.",
    "Those close to the negotiations described the mood as tense but constructive.",
    "By {weekday} afternoon, more than {number} {things} had signed an open letter about "
    "{the_topic}.",
    "{other_full}, who works in {other_city}, said the mood among {things} had changed "
    "noticeably since {month}.",
    "The figures show a rise of {percent} per cent in complaints over the past {small} years.",
    "In a letter seen by this newspaper, {org} warned that delays could add {number} million "
    "{currency} to the final bill.",
    "Officials in {other_city} are said to be preparing a similar plan of their own, to be "
    "announced in {month}.",
    "{person_short} first raised concerns about {the_topic} in {year}, when {things} in "
    "{other_city} complained about rising costs.",
    "A survey of {number} {things} found that {percent} per cent expected conditions to get "
    "worse before they improved.",
    "Speaking in {other_city} on {weekday}, {other_full} said lessons had to be learned "
    "from what happened in {other_country}.",
    "The {role} met representatives of {things} for {small} hours on {weekday} but no "
    "agreement was reached.",
    "{other_full}, a former {other_role}, said the government had been warned about the "
    "risks as early as {year}.",
)

QUOTES = (
    "We have listened carefully, and this is the right decision for the country",
    "Nobody pretends this will be easy, but doing nothing is not an option",
    "People deserve honesty about what this will cost and who will pay for it",
    "This is a day many of us thought would never come",
    "We will be watching very closely to make sure these promises are kept",
    "The evidence is clear, and we cannot afford to wait any longer",
    "I understand the frustration, and I share some of it",
    "It is a step in the right direction, but only a step",
    "Our priority has always been the safety of the people we serve",
    "There are still serious questions that have not been answered",
    "We expect the first results to be visible within months, not years",
    "Frankly, the way this was handled has damaged trust",
)

CLOSING_SENTENCES = (
    "{org_cap} is expected to publish further details in {month}.",
    "A final decision is due before the end of {month}, officials said.",
    "The debate is likely to continue for some time, {person_short} said.",
    "Further talks are planned in {other_city} next month.",
    "Neither side has ruled out further action if the talks fail.",
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip

CURRENCIES = ("euros", "dollars", "pounds")
