# Kuitti rekisteröidylle (GDPR 12 artiklan 3 kohta), suomeksi.
# Jokainen viesti on oltava myös kielissä sv, en ja de (testi tarkistaa).

## Päivämäärät: $day, $month (1-12), $year

date = { $day }.{ $month }.{ $year }

## Otsikot ja alku

title-completed = Kuitti: henkilötietosi on poistettu
title-in-progress = Poistopyyntösi: mitä on tehty tähän mennessä
title-rejected = Poistopyyntösi hylättiin
reference = Pyynnön tunnus: { $id }
intro-completed = Pyysit meitä poistamaan henkilötietosi (EU:n tietosuoja-asetus, 17 artikla). Saimme pyyntösi { $received } ja teimme poistot valmiiksi { $completed }; määräaika oli { $deadline }.
intro-in-progress = Pyysit meitä poistamaan henkilötietosi (EU:n tietosuoja-asetus, 17 artikla). Saimme pyyntösi { $received }. Poistot ovat vielä kesken; saamme ne valmiiksi viimeistään { $deadline }.
intro-rejected = Pyysit meitä poistamaan henkilötietosi (EU:n tietosuoja-asetus, 17 artikla). Saimme pyyntösi { $received } ja hylkäsimme sen.
rejection-reason = Syy: { $reason }

## Mitä poistettiin, järjestelmittäin

section-erased = Mitä poistimme
system-what = { $description } – { $categories }
system-erased = { $what }: poistettu { $date }.
system-anonymised = { $what }: anonymisoitu { $date }; jäljelle jäävää ei voi enää yhdistää sinuun.
system-nothing-found = { $what }: sinusta ei löytynyt tietoja ({ $date }).
system-retained = { $what }: säilytetään lain velvoittamana, ks. alla.
system-in-backups = { $what }: kopioita voi olla jäljellä, kunnes varmuuskopiot vanhenevat, ks. alla.
system-pending = { $what }: vielä kesken.
system-failed = { $what }: ei vielä tehty; yritämme uudelleen.
no-systems = Missään järjestelmässä ei ollut sinua koskevia tietoja.

## Mitä säilytetään ja miksi

section-kept = Mitä meidän on säilytettävä ja miksi
kept-intro = Laki velvoittaa meidät säilyttämään osan tiedoistasi määräajan (tietosuoja-asetuksen 17 artiklan 3 kohdan b alakohta). Siihen asti niiden käsittelyä on rajoitettu (18 artikla): ne pidetään erillään eikä niitä käytetä muuhun kuin tämän velvoitteen täyttämiseen. Ne poistetaan itsestään, kun määräaika päättyy.
hold-held = { $system } – { $category }: { $items ->
    [one] 1 kappale
   *[other] { $items } kappaletta
} säilytetään { $until } asti: { $citation }.
hold-ended = { $system } – { $category }: säilytettiin { $until } asti ({ $citation }); määräaika on päättynyt ja { $items ->
    [one] tieto on poistettu
   *[other] tiedot on poistettu
}.

## Varmuuskopiot

section-backups = Varmuuskopiot
backups-intro = Varmuuskopioita ei voi muuttaa jälkikäteen. Niissä voi olla kopioita tiedoistasi alla mainittuihin päiviin asti, jolloin varmuuskopiot vanhenevat ja hävitetään. Jos varmuuskopio joskus palautetaan, poistosi tehdään uudelleen.
backup = { $system }: { $until } asti.

## Määräajan pidentäminen (12 artiklan 3 kohta)

section-extension = Määräaikaa pidennettiin
extension = Pidensimme määräaikaa { $months ->
    [one] yhdellä kuukaudella
   *[other] { $months } kuukaudella
}: alkuperäinen määräaika oli { $original }, uusi määräaika on { $deadline }.
extension-reason = Syy: { $reason }

## Vastaanottajat (19 artikla)

section-recipients = Keille muille kerroimme
recipients-intro = Tietojasi oli luovutettu seuraaville vastaanottajille. Pyysimme jokaista poistamaan ne (tietosuoja-asetuksen 19 artikla).
recipient-told = { $name }, { $role }: kerrottu { $date }, { $via }.
recipient-pending = { $name }, { $role }: kerrotaan { $via }.
role-processor = käsittelee tietoja puolestamme
role-controller = jolle luovutimme tietoja
via-api = järjestelmärajapinnan kautta
via-opendsr = järjestelmärajapinnan kautta (OpenDSR)
via-manual = kirjeitse, sähköpostitse tai puhelimitse
via-connector = järjestelmärajapinnan kautta

## Valittaminen (77 artikla)

section-complaint = Jos et ole tyytyväinen
complaint = Sinulla on oikeus tehdä valitus tietosuojavalvontaviranomaiselle. Tämän pyynnön osalta se on: { $authority }
complaint-regional = Toimivaltainen voi sen sijaan olla sen osavaltion (Land) tietosuojaviranomainen, jossa olemme sijoittautuneet. Ne on lueteltu täällä:
complaint-unknown = Sinulla on oikeus tehdä valitus sen maan tietosuojavalvontaviranomaiselle, jossa asut tai työskentelet tai jossa katsot lakia rikotun. Viranomaiset on lueteltu täällä:
complaint-court = Voit myös viedä asian tuomioistuimeen.

## Loppu

footer = Tässä kuitissa ei ole sinusta muita henkilötietoja kuin yllä oleva pyynnön tunnus.

## Tietoluokat selkokielellä

category-contact = yhteystiedot
category-contract = sopimukset
category-support-ticket = asiakaspalvelupyynnöt
category-camera-image = kamerakuvat
category-video = videotallenteet
category-telemetry = anturilukemat
category-location = sijaintitiedot
category-accounting-voucher = laskut ja muut kirjanpitotositteet
category-accounting-books = kirjanpito
category-business-letter = liikekirjeenvaihto
category-call-recording = puhelutallenteet
category-chat-log = chat-keskustelut
category-backup = varmuuskopiot
category-account = käyttäjätili
category-identity-verification = henkilöllisyyden tarkistukset
category-survey-response = kyselyvastaukset
category-marketing = markkinointi
category-payment = maksut
category-event-log = tapahtumalokit
