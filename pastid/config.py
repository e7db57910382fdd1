"""Configuration: built-in defaults, overridden by environment variables.

Every setting is declared once in SETTINGS with its type and meaning. The README's
settings table lists the same names, and a test keeps the two in step.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type
    help: str
    help_da: str = ""


SETTINGS = [
    Setting("DATABASE_URL", None, str,
            "SQLAlchemy database URL. Default: SQLite file `instance/pastid.sqlite3`.",
            "SQLAlchemy-URL til databasen. Standard: SQLite-filen `instance/pastid.sqlite3`."),
    Setting("SECRET_KEY", None, str,
            "Key that signs sessions and tokens. Default: generated once into "
            "`instance/secret_key`.",
            "Nøgle, der signerer sessioner og tokens. Standard: dannes én gang i "
            "`instance/secret_key`."),
    Setting("PASTID_ENV", "development", str,
            "`production` turns on secure cookies and HSTS.",
            "`production` slår sikre cookies og HSTS til."),
    Setting("PUBLIC_URL", "http://127.0.0.1:5000", str,
            "Address citizens reach the site at; used for links in e-mails.",
            "Adressen, borgerne bruger; bruges til links i e-mails."),
    Setting("MUNICIPALITY_NAME", "Høje-Taastrup Kommune", str,
            "Municipality shown in the page header and e-mails.",
            "Kommunen, der vises i sidehovedet og i e-mails."),
    Setting("CENTRE_NAME", "Borgerservice", str, "Name of the citizen service centre.",
            "Borgerservicecentrets navn."),
    Setting("CENTRE_ADDRESS", "Bygaden 2, 2630 Taastrup", str,
            "Street address of the centre, shown on receipts and calendar entries.",
            "Centrets adresse, som vises på kvitteringer og i kalenderfiler."),
    Setting("CENTRE_PHONE", "43 59 10 00", str, "Phone number shown to citizens.",
            "Telefonnummer, som vises for borgerne."),
    Setting("PROXY_COUNT", 0, int,
            "Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted.",
            "Antal reverse proxies foran systemet, hvis X-Forwarded-For/-Proto-headere "
            "er til at stole på."),
    Setting("TIMEZONE", "Europe/Copenhagen", str, "Local time zone of the centre.",
            "Centrets lokale tidszone."),
    Setting("HOLD_MINUTES", 10, int,
            "Minutes a chosen time is held while the citizen enters details.",
            "Minutter, en valgt tid holdes, mens borgeren skriver sine oplysninger."),
    Setting("RERELEASE_MINUTES", 0, int,
            "Minutes before a cancelled time is offered again (0: at once).",
            "Minutter, før en aflyst tid udbydes igen (0: med det samme)."),
    Setting("MAX_ACTIVE_BOOKINGS_PER_EMAIL", 1, int,
            "Upcoming bookings allowed per e-mail address.",
            "Kommende tider, der må være bestilt pr. e-mailadresse."),
    Setting("MAX_ACTIVE_BOOKINGS_PER_PHONE", 1, int,
            "Upcoming bookings allowed per mobile number.",
            "Kommende tider, der må være bestilt pr. mobilnummer."),
    Setting("MAIL_TRANSPORT", "outbox", str,
            "`smtp` sends through MAIL_SERVER; `outbox` writes .eml files to MAIL_OUTBOX_DIR.",
            "`smtp` sender via MAIL_SERVER; `outbox` gemmer .eml-filer i MAIL_OUTBOX_DIR."),
    Setting("MAIL_OUTBOX_DIR", None, str,
            "Folder for the outbox transport. Default: `instance/outbox`.",
            "Mappe til `outbox`. Standard: `instance/outbox`."),
    Setting("MAIL_SERVER", "127.0.0.1", str, "SMTP host.",
            "SMTP-server."),
    Setting("MAIL_PORT", 25, int, "SMTP port.",
            "SMTP-port."),
    Setting("MAIL_USE_STARTTLS", False, bool, "Upgrade the SMTP connection with STARTTLS.",
            "Kryptér SMTP-forbindelsen med STARTTLS."),
    Setting("MAIL_USERNAME", "", str, "SMTP login name; empty: no login.",
            "Brugernavn til SMTP; tomt: intet login."),
    Setting("MAIL_PASSWORD", "", str, "SMTP password.",
            "Adgangskode til SMTP."),
    Setting("MAIL_TIMEOUT", 10, int, "Seconds before an SMTP connection attempt times out.",
            "Sekunder, før et forsøg på at forbinde til SMTP-serveren opgives."),
    Setting("MAIL_SENDER", "Borgerservice <noreply@pastid.invalid>", str,
            "From address of every e-mail.",
            "Afsenderadresse på alle e-mails."),
    Setting("ALTCHA_COST", 5000, int,
            "PBKDF2 iterations of the anti-bot proof of work on the last booking step.",
            "PBKDF2-gennemløb i robottjekket (proof of work) på det sidste trin af bestillingen."),
    Setting("ALTCHA_EXPIRES_SECONDS", 1200, int, "Seconds a proof-of-work challenge stays valid.",
            "Sekunder, en opgave til robottjekket er gyldig."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", str,
            "Where rate-limit counters live; `redis://host:6379` shares them between servers.",
            "Hvor tællerne til begrænsning af forespørgsler gemmes; `redis://host:6379` "
            "deler dem mellem servere."),
    Setting("RATELIMIT_BOOKING", "20 per minute;200 per hour", str,
            "Limit on booking requests (POST) per client address.",
            "Grænse for bestillingsforespørgsler (POST) pr. klientadresse."),
    Setting("RATELIMIT_MANAGE", "30 per minute;300 per hour", str,
            "Limit on manage-link requests per client address.",
            "Grænse for forespørgsler på links til at ændre en tid pr. klientadresse."),
    Setting("RATELIMIT_API", "120 per minute", str, "Limit on availability API requests.",
            "Grænse for forespørgsler til API'et med ledige tider."),
    # Staff side.
    Setting("RATELIMIT_LOGIN", "10 per minute;60 per hour", str,
            "Limit on staff login attempts (POST) per client address.",
            "Grænse for loginforsøg (POST) fra medarbejdere pr. klientadresse."),
    Setting("RATELIMIT_SELF_CHECKIN", "30 per minute;600 per hour", str,
            "Limit on self check-in attempts (POST) per client address.",
            "Grænse for forsøg på selvbetjent ankomstregistrering (POST) pr. klientadresse."),
    Setting("STAFF_SESSION_HOURS", 10, int,
            "Hours after login when a staff session ends, also while it is in use.",
            "Timer efter login, hvor en medarbejders session udløber, også hvis den er i brug."),
    Setting("CHECKIN_EARLY_MINUTES", 30, int,
            "Minutes before the booked time from which a citizen can check in.",
            "Minutter før den bestilte tid, hvor borgeren tidligst kan registrere sin ankomst."),
    Setting("CHECKIN_LATE_MINUTES", 15, int,
            "Minutes after the booked time until which check-in is accepted without a staff "
            "member's confirmation.",
            "Minutter efter den bestilte tid, hvor ankomst registreres uden en medarbejders "
            "godkendelse."),
    # The Argon2id defaults are the first configuration in OWASP's Password Storage Cheat
    # Sheet (19 MiB, two passes, one lane). RFC 9106's 64 MiB would add that much to the
    # peak memory of every web worker that serves a login.
    Setting("ARGON2_TIME_COST", 2, int, "Argon2id passes when hashing a staff password.",
            "Antal gennemløb i Argon2id, når en medarbejders adgangskode hashes."),
    Setting("ARGON2_MEMORY_KIB", 19456, int, "Argon2id memory per password hash, in KiB.",
            "Hukommelse pr. hash af en adgangskode i Argon2id, i KiB."),
    Setting("ARGON2_PARALLELISM", 1, int, "Argon2id lanes per password hash.",
            "Antal parallelle baner pr. hash af en adgangskode i Argon2id."),
    # Scheduled work and notifications.
    Setting("REMINDER_LEAD_HOURS", 24, int,
            "Hours before the appointment, in elapsed time, that the reminder is sent. A "
            "booking made later than that gets no reminder.",
            "Timer før tiden, i forløbet tid, hvor påmindelsen sendes. En tid, der bestilles "
            "senere end det, får ingen påmindelse."),
    Setting("SURVEY_DELAY_MINUTES", 60, int,
            "Minutes after a visit is marked served that the survey invitation is sent.",
            "Minutter efter, at et besøg er markeret som ekspederet, hvor invitationen til "
            "spørgeskemaet sendes."),
    Setting("SURVEY_LATEST_HOURS", 72, int,
            "Hours after a visit after which no survey invitation is sent any more, e.g. "
            "after the scheduler was down.",
            "Timer efter et besøg, hvorefter der ikke længere sendes en invitation til "
            "spørgeskemaet, fx efter at planlæggeren har været nede."),
    Setting("SURVEY_VALID_DAYS", 14, int, "Days a survey link stays valid after it is sent.",
            "Dage, et link til spørgeskemaet virker, efter at det er sendt."),
    Setting("NO_SHOW_GRACE_MINUTES", 15, int,
            "Minutes after the start, and after the unit closes that day, before a booking "
            "that was not checked in is marked no-show.",
            "Minutter efter tidens start og efter, at enheden lukker den dag, før en tid uden "
            "registreret ankomst markeres som udeblevet."),
    Setting("RETENTION_DAYS", 30, int,
            "Days after the appointment, or after a cancellation, before the name, e-mail, "
            "phone number and link hashes are erased.",
            "Dage efter tiden, eller efter en aflysning, før navn, e-mail, telefonnummer og "
            "links' hashværdier slettes."),
    Setting("JOBS_INTERVAL_MINUTES", 5, int,
            "Minutes between runs of the reminder, survey invitation and no-show jobs.",
            "Minutter mellem kørslerne af jobbene for påmindelser, invitationer til "
            "spørgeskemaet og udeblivelser."),
    Setting("JOBS_DAILY_AT", "04:30", str,
            "Local time (HH:MM) of the daily jobs: retention and cleanup. Must be 04:00 or "
            "later, clear of daylight-saving changes.",
            "Lokalt klokkeslæt (TT:MM) for de daglige job: sletning og oprydning. Skal være "
            "04:00 eller senere, væk fra skift til og fra sommertid."),
    Setting("NOTIFY_MAX_ATTEMPTS", 5, int,
            "Delivery attempts per e-mail or SMS before it is given up and logged as an error.",
            "Forsøg på at levere en e-mail eller sms, før den opgives og logges som en fejl."),
    Setting("NOTIFY_RETRY_SECONDS", 300, int,
            "Seconds before the first retry of a failed delivery; each later retry waits "
            "twice as long.",
            "Sekunder før første nye forsøg efter en mislykket levering; hvert senere forsøg "
            "venter dobbelt så længe."),
    Setting("SMS_GATEWAY_URL", "", str,
            "URL that takes each SMS as a JSON POST; empty: no SMS are sent.",
            "URL, der modtager hver sms som en JSON-POST; tom: der sendes ingen sms."),
    Setting("SMS_GATEWAY_TOKEN", "", str, "Bearer token sent to the SMS gateway.",
            "Bearer-token, der sendes til sms-gatewayen."),
    Setting("SMS_TIMEOUT", 10, int, "Seconds before a request to the SMS gateway times out.",
            "Sekunder før en forespørgsel til sms-gatewayen opgives."),
    # Benchmarks.
    Setting("BENCH_ENDPOINTS", False, bool,
            "Serve the bare /bench/ endpoints that `make bench` compares the app with. "
            "Never in production: they take unauthenticated writes.",
            "Slå de rå /bench/-endpoints til, som `make bench` sammenligner appen med. "
            "Aldrig i drift: de tager imod skrivninger uden login."),
    # Survey and KPIs.
    Setting("RATELIMIT_SURVEY", "30 per minute;300 per hour", str,
            "Limit on survey-link requests per client address.",
            "Grænse for forespørgsler på links til spørgeskemaet pr. klientadresse."),
]


def _convert(setting, raw):
    if setting.kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return setting.kind(raw)


def load_config(instance_path, overrides=None):
    """Build the configuration mapping from defaults, the environment and overrides."""
    overrides = overrides or {}
    instance = Path(instance_path)
    config = {}
    for setting in SETTINGS:
        raw = os.environ.get(setting.name)
        config[setting.name] = setting.default if raw in (None, "") else _convert(setting, raw)
    config.update(overrides)

    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'pastid.sqlite3'}"
    if not config["MAIL_OUTBOX_DIR"]:
        config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret_key(instance)

    production = config["PASTID_ENV"] == "production"
    config.setdefault("SQLALCHEMY_DATABASE_URI", config["DATABASE_URL"])
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("PREFERRED_URL_SCHEME", "https" if production else "http")
    config.setdefault("BABEL_DEFAULT_LOCALE", "da")
    config.setdefault("BABEL_DEFAULT_TIMEZONE", config["TIMEZONE"])
    # Without the X-RateLimit-* headers a limited request costs one storage round trip
    # instead of three (a third of a cheap request's time with Redis).
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # When Redis is down, requests go on with counters in memory instead of failing.
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    return config


def _instance_secret_key(instance):
    """Read the instance's secret key, creating it with owner-only access on first use."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Write a private temporary file and link it into place, so that two workers
        # starting at once agree on one key and neither reads a half-written file.
        temporary = instance / f".secret_key.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
