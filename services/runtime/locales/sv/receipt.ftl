# Kvittot till den registrerade (GDPR art. 12.3), på svenska.
# Varje meddelande här måste finnas i fi, en och de också (ett test kontrollerar det).

## Datum: $day, $month (1-12), $year

date = { $day } { $month ->
    [1] januari
    [2] februari
    [3] mars
    [4] april
    [5] maj
    [6] juni
    [7] juli
    [8] augusti
    [9] september
    [10] oktober
    [11] november
   *[12] december
} { $year }

## Rubriker och inledning

title-completed = Kvitto: dina personuppgifter har raderats
title-in-progress = Din begäran om radering: vad som har gjorts hittills
title-rejected = Din begäran om radering har avslagits
reference = Ärendenummer: { $id }
intro-completed = Du bad oss radera dina personuppgifter (dataskyddsförordningen, artikel 17). Vi tog emot din begäran den { $received } och slutförde den den { $completed }; tidsfristen var { $deadline }.
intro-in-progress = Du bad oss radera dina personuppgifter (dataskyddsförordningen, artikel 17). Vi tog emot din begäran den { $received }. Arbetet pågår fortfarande; vi är klara senast den { $deadline }.
intro-rejected = Du bad oss radera dina personuppgifter (dataskyddsförordningen, artikel 17). Vi tog emot din begäran den { $received } och har avslagit den.
rejection-reason = Skäl: { $reason }

## Vad som raderades, per system

section-erased = Vad vi raderade
system-what = { $description } – { $categories }
system-erased = { $what }: raderat den { $date }.
system-anonymised = { $what }: anonymiserat den { $date }; det som finns kvar kan inte längre kopplas till dig.
system-nothing-found = { $what }: inga uppgifter om dig hittades ({ $date }).
system-retained = { $what }: sparas enligt lag, se nedan.
system-in-backups = { $what }: kopior kan finnas kvar tills säkerhetskopiorna löper ut, se nedan.
system-pending = { $what }: pågår fortfarande.
system-failed = { $what }: inte klart ännu; vi försöker igen.
no-systems = Inget system hade uppgifter om dig.

## Vad som sparas och varför

section-kept = Vad vi måste spara och varför
kept-intro = Lagen kräver att vi sparar en del av dina uppgifter under en viss tid (artikel 17.3 b). Fram till dess är behandlingen begränsad (artikel 18): uppgifterna hålls åtskilda och används inte till något annat än den skyldigheten. De raderas av sig själva när tiden har gått ut.
hold-held = { $system } – { $category }: { $items ->
    [one] 1 post
   *[other] { $items } poster
} sparas till och med { $until } enligt { $citation }.
hold-ended = { $system } – { $category }: sparades till och med { $until } enligt { $citation }; tiden har gått ut och { $items ->
    [one] posten har
   *[other] posterna har
} raderats.

## Säkerhetskopior

section-backups = Säkerhetskopior
backups-intro = Säkerhetskopior kan inte ändras i efterhand. Kopior av dina uppgifter kan finnas kvar i dem till och med datumen nedan, då säkerhetskopiorna löper ut och förstörs. Om en säkerhetskopia någon gång återställs raderas dina uppgifter på nytt.
backup = { $system }: till och med { $until }.

## Förlängd tidsfrist (artikel 12.3)

section-extension = Tidsfristen förlängdes
extension = Vi förlängde tidsfristen med { $months ->
    [one] 1 månad
   *[other] { $months } månader
}, från { $original } till { $deadline }.
extension-reason = Skäl: { $reason }

## Mottagare (artikel 19)

section-recipients = Vilka andra vi underrättade
recipients-intro = Dina uppgifter hade lämnats ut till följande mottagare. Vi bad var och en av dem att radera dem (artikel 19).
recipient-told = { $name }, { $role }: underrättad den { $date }, { $via }.
recipient-pending = { $name }, { $role }: underrättas { $via }.
role-processor = som behandlar uppgifter för vår räkning
role-controller = som vi lämnade ut uppgifterna till
via-api = via sitt systemgränssnitt
via-opendsr = via sitt systemgränssnitt (OpenDSR)
via-manual = per brev, e-post eller telefon
via-connector = via sitt systemgränssnitt

## Klagomål (artikel 77)

section-complaint = Om du inte är nöjd
complaint = Du har rätt att lämna in ett klagomål till en tillsynsmyndighet för dataskydd. För denna begäran är det: { $authority }
complaint-regional = Behörig kan i stället vara dataskyddsmyndigheten i den delstat (Land) där vi är etablerade. De finns förtecknade här:
complaint-unknown = Du har rätt att lämna in ett klagomål till tillsynsmyndigheten i det land där du bor eller arbetar, eller där du anser att lagen har överträtts. Myndigheterna finns förtecknade här:
complaint-court = Du kan också föra saken till domstol.

## Avslutning

footer = Detta kvitto innehåller inga personuppgifter om dig utöver ärendenumret ovan.

## Kategorier av uppgifter, i klartext

category-contact = kontaktuppgifter
category-contract = avtal
category-support-ticket = kundtjänstärenden
category-camera-image = kamerabilder
category-video = videoinspelningar
category-telemetry = sensoravläsningar
category-location = platsuppgifter
category-accounting-voucher = fakturor och andra räkenskapsverifikationer
category-accounting-books = bokföring
category-business-letter = affärskorrespondens
category-call-recording = samtalsinspelningar
category-chat-log = chattloggar
category-backup = säkerhetskopior
category-account = kontouppgifter
category-identity-verification = uppgifter om identitetskontroll
category-survey-response = enkätsvar
category-marketing = marknadsföring
category-payment = betalningar
category-event-log = händelseloggar
