"""The citizen service centre's performance agreement for 2010, in Danish as written.

The demo seeder loads it, and a copy for the current year, so that the dashboard
evaluates the agreement's own goals. Spelling and wording are kept as in the signed text.
"""

TITLE = "Aftale for Borgerservicecenteret"
GRANTOR = "Aftalegiveren: direktionen/centerchefen"
HOLDER = "Aftaleholderen: aftaleenheden, Borgerservicecenteret (BSC)"
# Aftaleperiode: 1. januar 2010 til 31. december 2010.
YEAR = 2010
# Whole kroner: Lønsum 21.120.200 and Driftssum 476.700 make 21.596.900 kr.
SALARY_BUDGET = 21_120_200
OPERATING_BUDGET = 476_700
TOTAL_BUDGET = 21_596_900

PREAMBLE = (
    "Ved indgåelse af denne aftale forpligter aftalegiveren "
    "(direktionen/centerchefen) og aftaleholderen (aftaleenheden) sig til målrettet "
    "at arbejde for at opfylde aftalens indhold. Aftaleholderen er ansvarlig for at "
    "levere det aftalte serviceindhold samt at opfylde de vedtagne målsætninger og "
    "indsatsområder. Det skal ske inden for den tildelte budgetramme samt de "
    "generelle spilleregler i \"Aftalestyring i Høje-Taastrup Kommune – Principper og "
    "Vilkår\", vedlagt som bilag til aftalen.\n"
    "\n"
    "Aftalen er en fokusaftale, der sætter et særligt fokus på udvalgte indsatser i "
    "aftaleperioden. Aftalen bygger på kommunens værdier og fungerer som et "
    "supplement til de gældende politiske aftaler, serviceniveauer, lovgivning mv.\n"
    "\n"
    "Aftalen offentliggøres på intranettet.\n"
    "\n"
    "I aftaleperioden skal aftalparterne løbende være i dialog om aftalen. Dels i "
    "forbindelse med dialog om udmøntningen af budgettet, og dels ved den generelle "
    "ledelsesopfølgning og tilsyn af den tildelte budgetramme, som skal udføres hver "
    "måned. Opstår der i aftaleperioden væsentlige ændringer, som gør at aftalen "
    "ikke kan opfyldes, er parterne forpligtet til at informere hinanden på disse "
    "opfølgingsmøder, hvor der gives en status.\n"
    "\n"
    "I forbindelse med aftalens udløb er aftalegiveren (direktionen/centerchefen) "
    "ansvarlig for at der følges op på målene i aftalen."
)

BUDGET_TEXT = (
    "Den samlede økonomiske ramme for BSC udgør i 2010 21.596.900 kr. Dette beløb "
    "dækker over:\n"
    "\n"
    "Lønsum\t21.120.200\n"
    "Driftssum\t476.700\n"
    "\n"
    "Budgetrammen er opstillet på grundlag af det vedtagne budget 2010 med hensyn "
    "til beløbsmæssige rammer og indholdsmæssige forudsætninger, i forhold til art, "
    "omfang og kvalitet af de ydelser, som skal leveres, og det, personaleforbrug, "
    "fysiske rammer osv., der er knyttet til området.\n"
    "\n"
    "Budgetrammen kan dog blive justeret i løbet af aftaleperioden. Det kan ske i "
    "forbindelse med politiske beslutninger i 2010/2011, der eventuelt påvirker "
    "budgetrammen, og i forbindelse med vedtagelse af budget 2011. Derudover kan der "
    "være aftaler på området, hvor budgetmidler tildeles løbende f.eks. tilpasning "
    "af skoleår, integrationsmidler, puljer og eventuelle projektmidler.\n"
    "\n"
    "BSC har under hensyntagen til øvrige beslutninger og bestemmelser "
    "overførselsadgang mellem de forskellige budgetposter samt overførselsadgang "
    "mellem regnskabsårene. Overførselsadgangen forudsætter at gældende politiske "
    "serviceniveauer, aftaler, lovgivning mv. overholdes.\n"
    "\n"
    "De nærmere afgrænsninger, vilkår og betingelser for den økonomiske styring og "
    "anvendelse af budgettet er beskrevet i \"Aftalestyring i Høje-Taastrup kommune, "
    "Principper og vilkår\" og i \"Principper for økonomistyring\" (tidl. Kasse- og "
    "Regnskabsregulativ)."
)

# One dict per goal with the Goal model's fields; empty fields are not in the text.
GOALS = [
    {
        "rule": "budget",
        "level": 1,
        "position": 1,
        "title": "Budgetanalysearbejdet videreføres i 2010",
        "objective": (
            "Af Budgetforliget for Budget 2010-2013 fremgår følgende beslutninger med "
            "relevans for BSC:\n"
            "\n"
            "Budgetanalysearbejdet videreføres i 2010. Byrådet er enige om, at der fortsat "
            "skal arbejdes med budgetanalyser på kommunens serviceområder med udgangspunkt i "
            "en kortlægning af kommunens styring og udgiftsniveau. Forslagene skal generelt "
            "pege på løsninger/investeringer, der fremadrettet nedbringer kommunens udgifter "
            "via øget effektivitet og bedre styring samtidig med, at kvaliteten i "
            "servicetilbuddene skal bevares og udbygges."
        ),
        "follow_up_method": (
            "Der følges op på ovenstående i forbindelse med dialog om udmøntningen af "
            "budgettet, som afstemmes hver måned."
        ),
    },
    {
        "rule": "efficiency",
        "level": 2,
        "position": 1,
        "title": "Effektivisering og digitalisering",
        "objective": (
            "Effektivisering og digitalisering af arbejdsgange med henblik på bedre "
            "borgerservice og mindre ressourceanvendelse"
        ),
        "background": (
            "Målsætningen er en udmøntning af Direktionens strategibrev, Tema 1, Styr på "
            "styringen. En af baggrundene for den nye organisering af BSC, som trådte i "
            "kraft 1. oktober 2009 var et skarpere fokus på effektivisering og "
            "digitalisering. I 2010 gennemføres øvelsen bl.a. for Boligstøtteområdet, et "
            "økonomisk tungt område med stort potentiale.\n"
            "\n"
            "Hensigten er både at optimere ressourceanvendelsen, IT-anvendelsen, herunder "
            "digitalisere manuelle arbejdsgange og at tilbyde borgerne en bedre "
            "borgerservice og animere borgerne til en øget grad af selvbetjening. Desuden "
            "skal cashflowet omkring efterreguleringen trimmes."
        ),
        "result_measures": (
            "Det dokumenteres, hvor der er blevet effektiviseret og hvor manuelle "
            "arbejdsgange er blevet erstattet af digitale arbejdsgange samt i hvilket omfang "
            "borgerne har fået tilbudt flere digitale services. Desuden skal konsekvenserne "
            "i forhold til efterreguleringsområdet dokumenteres og helhedsorienteringen i "
            "forhold til andre områder, skal sikres"
        ),
        "deadline": "Målet er 1-årigt, med midtvejsstatus ultimo 2010",
        "criteria_met": (
            "Boligstøtteområdet er analyseret, effekterne er dokumenteret og realiseret"
        ),
        "criteria_partly_met": "80% af effekterne er realiseret",
        "criteria_not_met": "Mindre end 80% af effekterne er realiseret",
        "follow_up_method": (
            "Der igangsættes en analysen af området, der beskriver nu-situationen med "
            "anbefalinger af effektiviserings- og digitaliseringsmuligheder. Afrapportering "
            "løbende af de realiserede tiltag."
        ),
        "follow_up_times": (
            "1. Når analysen er gennemført\n"
            "2. Når anbefalingerne er gennemført, dog senest ultimo 2010"
        ),
        "responsible": "Centerchefen",
    },
    {
        "rule": "citizen_survey",
        "level": 2,
        "position": 2,
        "title": "Borgerundersøgelse",
        "objective": (
            "Vi vil vide, om borgerne er tilfredse med vores service og vi vil forbedre den, "
            "der hvor det er muligt. Der gennemføres en måling af borgernes tilfredshed med "
            "centerets service i forhold til faglighed og generel service"
        ),
        "background": (
            "Målsætningen er en udmøntning af Direktionens strategibrev, Tema 2, God "
            "borgerservice. Centeret måler løbende på objektive kriterier som svartider i "
            "omstilling og call-center samt på ventetid ved personlig betjening. I 2009 er "
            "der gennemført en undersøgelse af den oplevede service i call-centeret med et "
            "godt resultat. En tilsvarende undersøgelse gennemføres i forhold til personlig "
            "betjening."
        ),
        "result_measures": (
            "Der gennemføres en måling og ud fra målingens resultater identificeres "
            "indsatsområder, hvorefter der måles igen."
        ),
        "deadline": "Målet er 1-årigt",
        "criteria_met": (
            "Begge målinger er gennemført og der er konstateret signifikante forbedringer i "
            "forhold til indsatsområderne"
        ),
        "criteria_partly_met": (
            "Begge målinger er gennemført og der er konstateret forbedringer"
        ),
        "criteria_not_met": (
            "Begge målinger er gennemført og der er ikke konstateret forbedringer"
        ),
        "follow_up_method": (
            "Der skal først findes en egnet metode i forhold til undersøgelsen, det er et "
            "krav at der skal kunne generes rapporter generisk ud fra opsamlede data. Dvs "
            "opfølgningen sker ved at holde de 2 rapporter op imod hinanden i forhold til "
            "indsatsområderne."
        ),
        "follow_up_times": "Er ikke aftalt",
        "responsible": "Centerchefen",
    },
    {
        "rule": "competence",
        "level": 2,
        "position": 3,
        "title": "Kompetenceudviklingsplan",
        "objective": (
            "Der gennemføres strukturerede MUS-samtaler med udarbejdelse af kompetenceplaner "
            "for alle medarbejdere i centeret med henblik på at løfte centerets samlede "
            "kompetencer"
        ),
        "background": (
            "Målsætningen er en udmøntning af Direktionens strategibrev, Tema 3, Attraktiv "
            "arbejdsplads. I forbindelse med etablering af ny organisation i centeret, hvor "
            "mange medarbejdere har fået ny leder, sættes der samtidig fokus på en mere "
            "struktureret gennemførelse af MUS-samtaler med udarbejdelse af kompetenskemaer, "
            "der skal underbygge medarbejderudviklingen og styrke centerets samlede "
            "kompetencer."
        ),
        "result_measures": (
            "Alle samtaler og kompetenskemaer skal være gennemført og der skal lægges en "
            "plan for de kompetenceløft, der skal ske"
        ),
        "deadline": "Målet er et-årigt",
        "criteria_met": (
            "MUS er gennemført og der er udarbejdet en samlet kompetenceplan"
        ),
        "criteria_partly_met": "MUS er gennemført",
        "criteria_not_met": "MUS er ikke gennemført",
        "follow_up_method": "Opfølgning sker på chefmøder",
        "follow_up_times": "Løbende",
        "responsible": "Centerchefen",
    },
    {
        "rule": "online_booking",
        "level": 3,
        "position": 1,
        "title": "Tidsbestilling til pas",
        "objective": (
            "Bedre borgerservice ved indførelse af mulighed for on-line tidsbestilling til "
            "pas-ekspedition"
        ),
        "background": (
            "PAS-porten er veletableret og centeret har nu 2 enheder. For at give borgerne "
            "en bedre service, skal der gives mulighed for tidsbestilling, fast track, så "
            "borgerne kan gå lige til ekspedition uden ventetid"
        ),
        "result_measures": (
            "Borgerne undgår ventetid og effekten måles på borgernes tilfredshed med servicen"
        ),
        "deadline": "Målet er 1-årigt",
        "criteria_met": (
            "Løsningen er etableret og mindst 90% af brugerne er tilfredse med løsningen"
        ),
        "criteria_partly_met": (
            "Løsningen er etableret og mindst 80% af brugerne er tilfredse med løsningen"
        ),
        "criteria_not_met": (
            "Løsningen er ikke etableret eller brugertilfredsheden er mindre end 80%"
        ),
        "follow_up_method": "Der måles på brugertilfredsheden, metode ikke fastlagt",
        "follow_up_times": "Fastlægges senere",
        "responsible": "Centerchefen",
    },
    {
        "rule": "wellbeing",
        "level": 3,
        "position": 2,
        "title": "Trivsel",
        "objective": "Trivslen hos medarbejderne skal være høj.",
        "background": (
            "God trivsel hænger sammen med et godt arbejdsmiljø, der medvirker til at "
            "fastholde dygtige medarbejdere og som kan medvirke til lavt sygefravær."
        ),
        "result_measures": (
            "Størstedelen af medarbejderne er tilfredse med at arbejde i centret og med "
            "deres nærmeste leder. Centeret skal ligge over gennemsnittet i forhold til "
            "gennemsnittet for rådhuset"
        ),
        "deadline": "Målet skal være opfyldt pr.31.12.2009.",
        "criteria_met": (
            "Centeret ligger overgennemsnittet i forhold til gennemsnittet for rådhuset"
        ),
        "criteria_partly_met": (
            "Centeret ligger på gennemsnittet i forhold til gennemsnittet for rådhuset"
        ),
        "criteria_not_met": (
            "Centeret ligger under gennemsnittet i forhold til gennemsnittet for rådhuset"
        ),
        "initiatives": (
            "Fokus på samarbejdet i LokalMED, medindflydelse og medinddragelse i hverdagen, "
            "fortsatte trivselsfremmende sociale aktiviteter samt synlig ledelse i enhver "
            "henseende."
        ),
        "follow_up_method": "Central APV-undersøgelse.",
        "follow_up_times": "2010",
        "responsible": "Centerchef.",
    },
]
