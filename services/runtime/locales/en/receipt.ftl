# The receipt for the person (GDPR Art. 12(3)), in English.
# Every message here must exist in fi, sv and de too (a test checks it).
# Variables are filled by services/runtime/src/render/receipt/compose.rs.

## Dates: $day, $month (1-12), $year

date = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }

## Titles and the opening

title-completed = Receipt: your personal data has been erased
title-in-progress = Your erasure request: what has been done so far
title-rejected = Your erasure request was refused
reference = Request reference: { $id }
intro-completed = You asked us to erase your personal data (GDPR Art. 17). We received your request on { $received } and completed it on { $completed }; the deadline was { $deadline }.
intro-in-progress = You asked us to erase your personal data (GDPR Art. 17). We received your request on { $received }. It is still being carried out; we will finish by { $deadline }.
intro-rejected = You asked us to erase your personal data (GDPR Art. 17). We received your request on { $received } and have refused it.
rejection-reason = Why: { $reason }

## What was erased, per system: $what is the system and its data, $date a day

section-erased = What we erased
system-what = { $description } – { $categories }
system-erased = { $what }: erased on { $date }.
system-anonymised = { $what }: anonymised on { $date }; what is left can no longer be linked to you.
system-nothing-found = { $what }: no data about you was found ({ $date }).
system-retained = { $what }: kept under a legal obligation, see below.
system-in-backups = { $what }: copies may remain until the backups expire, see below.
system-pending = { $what }: still in progress.
system-failed = { $what }: not done yet; we are trying again.
no-systems = No system held data about you.

## What is kept, and why

section-kept = What we must keep, and why
kept-intro = The law obliges us to keep some of your data for a time (GDPR Art. 17(3)(b)). Until then it is restricted (GDPR Art. 18): it is kept apart and used for nothing but that obligation. It is erased on its own when the period ends.
hold-held = { $system } – { $category }: { $items ->
    [one] 1 item
   *[other] { $items } items
} kept until { $until } under { $citation }.
hold-ended = { $system } – { $category }: kept until { $until } under { $citation }; the period has ended and { $items ->
    [one] the item has
   *[other] the items have
} been erased.

## Backups

section-backups = Backups
backups-intro = Backups cannot be changed once they are written. Copies of your data may remain in them until the dates below, when the backups expire and are destroyed. If a backup is ever restored, your erasure is carried out again.
backup = { $system }: until { $until }.

## The extension of the deadline (GDPR Art. 12(3))

section-extension = The deadline was extended
extension = We extended the deadline by { $months ->
    [one] 1 month
   *[other] { $months } months
}, from { $original } to { $deadline }.
extension-reason = Reason: { $reason }

## Recipients (GDPR Art. 19)

section-recipients = Who else we told
recipients-intro = Your data had been disclosed to the following recipients. We told each of them to erase it (GDPR Art. 19).
recipient-told = { $name }, { $role }: told on { $date }, { $via }.
recipient-pending = { $name }, { $role }: being told { $via }.
role-processor = who processes data on our behalf
role-controller = to whom we disclosed the data
via-api = through its system interface
via-opendsr = through its system interface (OpenDSR)
via-manual = by letter, e-mail or phone
via-connector = through its system interface

## How to complain (GDPR Art. 77)

section-complaint = If you are not satisfied
complaint = You have the right to lodge a complaint with a data protection supervisory authority. For this request it is: { $authority }
complaint-regional = The data protection authority of the federal state (Land) where we are established may be the competent one instead. They are listed here:
complaint-unknown = You have the right to lodge a complaint with the data protection supervisory authority of the country where you live or work, or where you think the law was broken. The authorities are listed here:
complaint-court = You may also take the matter to court.

## Closing

footer = This receipt contains no personal data of yours beyond the request reference above.

## Data categories, in plain words (a category with no message here is shown as it is)

category-contact = contact details
category-contract = contracts
category-support-ticket = customer-service requests
category-camera-image = camera pictures
category-video = video recordings
category-telemetry = sensor readings
category-location = location data
category-accounting-voucher = invoices and other accounting vouchers
category-accounting-books = accounting books
category-business-letter = business correspondence
category-call-recording = call recordings
category-chat-log = chat logs
category-backup = backups
category-account = account details
category-identity-verification = identity verification records
category-survey-response = survey answers
category-marketing = marketing
category-payment = payments
category-event-log = event logs
