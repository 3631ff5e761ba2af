# Die Bestätigung für die betroffene Person (DSGVO Art. 12 Abs. 3), auf Deutsch.
# Jede Nachricht hier muss es auch in fi, sv und en geben (ein Test prüft es).

## Datum: $day, $month (1-12), $year

date = { $day }. { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
} { $year }

## Überschriften und Einleitung

title-completed = Bestätigung: Ihre personenbezogenen Daten wurden gelöscht
title-in-progress = Ihr Löschantrag: was bisher geschehen ist
title-rejected = Ihr Löschantrag wurde abgelehnt
reference = Vorgangsnummer: { $id }
intro-completed = Sie haben uns gebeten, Ihre personenbezogenen Daten zu löschen (Art. 17 DSGVO). Ihr Antrag ging am { $received } ein und wurde am { $completed } abgeschlossen; die Frist lief bis { $deadline }.
intro-in-progress = Sie haben uns gebeten, Ihre personenbezogenen Daten zu löschen (Art. 17 DSGVO). Ihr Antrag ging am { $received } ein. Er wird noch bearbeitet; wir schließen ihn spätestens am { $deadline } ab.
intro-rejected = Sie haben uns gebeten, Ihre personenbezogenen Daten zu löschen (Art. 17 DSGVO). Ihr Antrag ging am { $received } ein; wir haben ihn abgelehnt.
rejection-reason = Begründung: { $reason }

## Was gelöscht wurde, je System

section-erased = Was wir gelöscht haben
system-what = { $description } – { $categories }
system-erased = { $what }: gelöscht am { $date }.
system-anonymised = { $what }: anonymisiert am { $date }; was bleibt, lässt sich Ihnen nicht mehr zuordnen.
system-nothing-found = { $what }: es wurden keine Daten über Sie gefunden ({ $date }).
system-retained = { $what }: wird aufgrund einer gesetzlichen Pflicht aufbewahrt, siehe unten.
system-in-backups = { $what }: Kopien können bleiben, bis die Sicherungen ablaufen, siehe unten.
system-pending = { $what }: noch in Bearbeitung.
system-failed = { $what }: noch nicht erledigt; wir versuchen es erneut.
no-systems = Kein System enthielt Daten über Sie.

## Was aufbewahrt wird, und warum

section-kept = Was wir aufbewahren müssen, und warum
kept-intro = Das Gesetz verpflichtet uns, einen Teil Ihrer Daten für eine bestimmte Zeit aufzubewahren (Art. 17 Abs. 3 lit. b DSGVO). Bis dahin ist ihre Verarbeitung eingeschränkt (Art. 18 DSGVO): Sie werden getrennt aufbewahrt und für nichts anderes als diese Pflicht verwendet. Nach Ablauf der Frist werden sie von selbst gelöscht.
hold-held = { $system } – { $category }: { $items ->
    [one] 1 Eintrag wird
   *[other] { $items } Einträge werden
} bis zum { $until } aufbewahrt, nach { $citation }.
hold-ended = { $system } – { $category }: bis zum { $until } aufbewahrt nach { $citation }; die Frist ist abgelaufen und { $items ->
    [one] der Eintrag wurde
   *[other] die Einträge wurden
} gelöscht.

## Sicherungen

section-backups = Sicherungen
backups-intro = Sicherungen (Backups) lassen sich nachträglich nicht ändern. Kopien Ihrer Daten können darin bis zu den unten genannten Tagen verbleiben; dann laufen die Sicherungen ab und werden vernichtet. Wird eine Sicherung je wiederhergestellt, wird Ihre Löschung erneut ausgeführt.
backup = { $system }: bis zum { $until }.

## Fristverlängerung (Art. 12 Abs. 3 DSGVO)

section-extension = Die Frist wurde verlängert
extension = Wir haben die Frist um { $months ->
    [one] einen Monat
   *[other] { $months } Monate
} verlängert, vom { $original } auf den { $deadline }.
extension-reason = Grund: { $reason }

## Empfänger (Art. 19 DSGVO)

section-recipients = Wen wir außerdem benachrichtigt haben
recipients-intro = Ihre Daten waren den folgenden Empfängern offengelegt worden. Wir haben jeden von ihnen aufgefordert, sie zu löschen (Art. 19 DSGVO).
recipient-told = { $name }, { $role }: benachrichtigt am { $date }, { $via }.
recipient-pending = { $name }, { $role }: wird benachrichtigt, { $via }.
role-processor = verarbeitet Daten in unserem Auftrag
role-controller = dem wir die Daten offengelegt haben
via-api = über seine Systemschnittstelle
via-opendsr = über seine Systemschnittstelle (OpenDSR)
via-manual = per Brief, E-Mail oder Telefon
via-connector = über seine Systemschnittstelle

## Beschwerde (Art. 77 DSGVO)

section-complaint = Wenn Sie nicht zufrieden sind
complaint = Sie haben das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren. Für diesen Antrag ist das: { $authority }
complaint-regional = Zuständig kann stattdessen die Datenschutz-Aufsichtsbehörde des Bundeslandes sein, in dem wir unseren Sitz haben. Die Behörden der Länder sind hier aufgeführt:
complaint-unknown = Sie haben das Recht, sich bei der Aufsichtsbehörde des Landes zu beschweren, in dem Sie wohnen oder arbeiten oder in dem Sie einen Verstoß vermuten. Die Behörden sind hier aufgeführt:
complaint-court = Sie können die Sache auch vor Gericht bringen.

## Schluss

footer = Diese Bestätigung enthält außer der Vorgangsnummer oben keine personenbezogenen Daten über Sie.

## Datenkategorien, in einfachen Worten

category-contact = Kontaktdaten
category-contract = Verträge
category-support-ticket = Kundendienstanfragen
category-camera-image = Kamerabilder
category-video = Videoaufnahmen
category-telemetry = Sensorwerte
category-location = Standortdaten
category-accounting-voucher = Rechnungen und andere Buchungsbelege
category-accounting-books = Handelsbücher
category-business-letter = Geschäftsbriefe
category-call-recording = Gesprächsaufzeichnungen
category-chat-log = Chatprotokolle
category-backup = Sicherungen
category-account = Kontodaten
category-identity-verification = Identitätsprüfungen
category-survey-response = Umfrageantworten
category-marketing = Marketing
category-payment = Zahlungen
category-event-log = Ereignisprotokolle
