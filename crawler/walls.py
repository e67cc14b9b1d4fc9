"""Pages that are not the article: walls in front of it, and paywalls that cut it.

A news site does not always answer an article's address with the article, even with a
200. It may show a consent or cookie wall, a bot check ("verify you are human"), a soft
404 ("page not found" served with 200), a maintenance or rate-limit page, or a login
wall; or a paywall teaser that gives the first paragraphs and a call to subscribe.
Archived as the article, each would make a version that is not an edit.

This module reads what one page says about itself, as pure functions over its text:

* :func:`detect_wall` names the wall a page is (``consent``, ``bot_check``,
  ``not_found``, ``maintenance``, ``rate_limit``, ``login``) with its evidence, or None.
  Its evidence must be strong, because a real article can mention cookies or robots: a
  title or headline that *is* a wall's ("Just a moment...", "Page not found | Site"),
  or a short page whose text says what such pages say, in the languages of the news
  corpus. A long text is an article whatever it mentions.
* :func:`paywall_evidence` finds a call to subscribe ("subscribe to continue reading"),
  and :func:`not_free` structured data that says ``isAccessibleForFree: false``. Neither
  decides that the text was cut: only the archive can, by comparing with what it archived
  before (``storage/soft_failures.py``).

Both run in the extraction workers on the page already parsed (``crawler/reading.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "WALL_KINDS",
    "Wall",
    "detect_wall",
    "not_free",
    "paywall_calls",
    "paywall_evidence",
    "wall_title",
]

WALL_KINDS = ("consent", "bot_check", "not_found", "maintenance", "rate_limit", "login")

# A page's text longer than this is an article, whatever phrases it holds; walls are short
# (a consent wall with its vendor list is the longest, hence its own limit).
MAX_WALL_CHARS = 1500
MAX_CONSENT_CHARS = 8000
# Distinct consent phrases a consent wall's text holds at least (one phrase, "we use
# cookies", is also a sentence of an article about cookies)...
MIN_CONSENT_PHRASES = 2
# ...and a longer one (an IAB wall lists every vendor's purposes), up to this length.
MAX_LONG_CONSENT_CHARS = 30_000
MIN_LONG_CONSENT_PHRASES = 4
MIN_LONG_CONSENT_DENSITY = 1.0  # consent phrases per 1,000 characters


@dataclass(frozen=True)
class Wall:
    """What a page is instead of the article: a kind of :data:`WALL_KINDS`, and why."""

    kind: str
    evidence: str

    def reason(self) -> str:
        """One line for the fetch log: ``consent wall (title "Before you continue")``."""
        names = {
            "consent": "consent or cookie wall",
            "bot_check": "bot check",
            "not_found": "soft 404 (a 'not found' page served with 200)",
            "maintenance": "maintenance page",
            "rate_limit": "rate-limit page",
            "login": "login wall",
        }
        return f"{names[self.kind]}: {self.evidence}"


def _any(*patterns: str) -> re.Pattern[str]:
    # Matched against lower-cased text: IGNORECASE costs several times more on Unicode.
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# ---------------------------------------------------------------------------- titles

# What a wall's <title> or headline says, as the whole title or one part of
# "part | Site name". Matched in full, so a headline that merely contains "robot" or
# "maintenance" is not one.
_TITLES: dict[str, re.Pattern[str]] = {
    "bot_check": _any(
        r"just a moment\.*",
        r"one moment,? please\.*",
        r"attention required!?",
        r"access denied",
        r"access to this page has been denied\.?",
        r"are you a (?:robot|human)\??",
        r"(?:please )?verify(?:ing)? (?:that )?you(?:'re| are) (?:a )?human\.*",
        r"human verification",
        r"security check(?:point)?",
        r"(?:ddos[- ]?protection|bot protection|checking your browser)[^|]*",
        r"you have been blocked",
        r"request (?:blocked|rejected)",
        r"captcha",
        r"pardon our interruption\.*",
        r"einen moment bitte\.*",
        r"sicherheitsüberprüfung",
        r"zugriff verweigert",
        r"un instant\.*",
        r"accès refusé",
        r"vérification de sécurité",
        r"acceso denegado",
        r"un momento\.*",
        r"accesso negato",
        r"acesso negado",
        r"toegang geweigerd",
    ),
    "not_found": _any(
        r"(?:error )?404(?: error)?",
        r"(?:page|article|story|content) (?:not found|does not exist|unavailable)",
        r"not found",
        r"page introuvable",
        r"erreur 404",
        r"seite nicht gefunden",
        r"fehler 404",
        r"(?:die )?seite (?:existiert nicht|wurde nicht gefunden)",
        r"página no encontrada",
        r"página não encontrada",
        r"pagina non trovata",
        r"pagina niet gevonden",
        r"sidan (?:kunde inte hittas|hittades inte|finns inte)",
        r"siden (?:findes ikke|blev ikke fundet|finnes ikke|ble ikke funnet)",
        r"(?:nie znaleziono strony|strona nie (?:istnieje|została znaleziona))",
        r"stránka (?:nenalezena|nebyla nalezena)",
        r"sayfa bulunamadı",
        r"страница не найдена",
        r"ページが見つかりません",
        r"페이지를 찾을 수 없습니다",
        r"(?:页面不存在|找不到页面|页面未找到)",
    ),
    "maintenance": _any(
        r"(?:site |website )?(?:under|down for) (?:scheduled )?maintenance",
        r"(?:scheduled )?maintenance(?: mode| in progress)?",
        r"(?:we'?ll|we will) be (?:right )?back(?: soon| shortly)?[.!]*",
        r"service (?:temporarily )?unavailable",
        r"(?:503 )?service unavailable",
        r"wartungsarbeiten",
        r"wartungsmodus",
        r"(?:site )?en maintenance",
        r"en mantenimiento",
        r"in manutenzione",
        r"em manutenção",
        r"onderhoud",
    ),
    "rate_limit": _any(
        r"(?:429 )?too many requests",
        r"rate limit(?:ed| exceeded)?",
        r"zu viele anfragen",
        r"trop de requêtes",
        r"demasiadas (?:solicitudes|peticiones)",
        r"troppe richieste",
    ),
    "login": _any(
        r"(?:log|sign) ?in(?: required)?",
        r"(?:log|sign) ?in (?:or|/) (?:register|sign ?up|create an account)",
        r"login",
        r"anmelden",
        r"anmeldung",
        r"connexion",
        r"se connecter",
        r"iniciar sesión",
        r"accedi",
        r"entrar",
        r"inloggen",
    ),
    "consent": _any(
        r"before you continue(?: to .*)?",
        r"(?:cookie|privacy|consent) (?:consent|settings|preferences|notice|choices)",
        r"(?:your )?privacy (?:choices|settings)",
        r"we value your privacy",
        r"(?:datenschutz|cookie)[- ]?einstellungen",
        r"einwilligung(?:serklärung)?",
        r"zustimmung erforderlich",
        r"(?:gestion des )?cookies",
        r"vos choix (?:en matière de|de) (?:confidentialité|cookies)",
        r"(?:configuración|política) de cookies",
        r"consenso(?: cookie)?",
        r"toestemming",
    ),
}
# Parts of "Headline | Site name": the separators a <title> joins them with.
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·•:]\s+|\s*[|｜]\s*")


def wall_title(title: str | None) -> Wall | None:
    """The wall a title or headline names, in full or as one of its ``|``-parts."""
    if not title:
        return None
    text = " ".join(title.split())
    if not text or len(text) > 200:
        return None
    parts = [text, *(p.strip() for p in _TITLE_SEPARATOR.split(text))]
    for kind, pattern in _TITLES.items():
        for part in parts:
            if part and pattern.fullmatch(part.lower()):
                return Wall(kind, f"title {text!r}")
    return None


# ---------------------------------------------------------------------------- text

# What the text of a wall says. Each is a sentence such pages use and articles do not
# (articles quote them rarely, and are long: see MAX_WALL_CHARS).
_PHRASES: dict[str, re.Pattern[str]] = {
    "bot_check": _any(
        r"verify(?:ing)? (?:that )?you(?:'re| are) (?:a )?human",
        r"(?:confirm|prove) (?:that )?you(?:'re| are) (?:a )?human",
        r"are you a robot",
        r"i(?:'m| am) not a robot",
        r"press (?:&|and) hold",
        r"checking (?:if the site connection is secure|your browser)",
        r"needs to review the security of your connection",
        r"enable javascript and cookies to continue",
        r"please (?:enable|turn on) (?:javascript|js)(?: and cookies)?(?: and| to)",
        r"disable (?:any|your) ad ?blocker",
        r"unusual (?:traffic|activity) from your (?:computer|network|device)",
        r"(?:we (?:have )?detected|we think|looks like) (?:that )?(?:you(?:'re| are)|an?) "
        r"(?:a )?(?:robot|bot|automated)",
        r"(?:why have i been|you have been) blocked",
        r"this (?:website|site) is using a security service",
        r"(?:cloudflare )?ray id:? [0-9a-f]{8,}",
        r"complete the (?:security check|captcha)",
        r"bitte bestätigen sie, dass sie (?:ein mensch|kein (?:roboter|bot)) sind",
        r"sicherheitsüberprüfung",
        r"ungewöhnliche(?:n)? (?:datenverkehr|aktivität)",
        r"vérifi(?:ez|er|cation) (?:que )?vous (?:êtes|n'êtes pas) (?:un )?(?:humain|robot)",
        r"confirm(?:e|a) que (?:eres|es|você é) (?:un |uma? )?(?:humano|pessoa)",
        r"no soy un robot",
        r"non sono un robot",
        r"não sou um robô",
        r"ik ben geen robot",
        # Cloudflare's interstitial, localised
        r"needs to review the security of your connection",
        r"muss die sicherheit ihrer verbindung überprüfen",
        r"doit vérifier la sécurité de votre connexion",
        r"necesita revisar la seguridad de (?:su|tu) conexión",
        r"deve verificare la sicurezza della (?:tua |sua )?connessione",
        r"precisa (?:analisar|rever|verificar) a segurança da (?:sua )?conexão",
        r"moet de beveiliging van (?:uw|je) verbinding (?:controleren|beoordelen)",
        r"verifica(?:re)? di essere un essere umano",
        r"verifique que (?:é|es|eres) (?:um ser |un ser )?humano",
        r"vérifiez que vous êtes (?:un )?humain",
        r"bestätigen sie, dass sie ein mensch sind",
        r"jag är inte en robot",
        r"nie jestem robotem",
        r"я не робот",
        r"(?:que )?no (?:eres|es|soy) un robot",
        r"(?:que )?não (?:é|és|sou) um robô",
        r"(?:n'êtes|ne suis) pas un robot",
        r"(?:dass sie )?kein roboter sind",
        r"(?:che )?non (?:sei|è|sono) un robot",
        r"(?:actividad|tráfico) inusual (?:desde|de|en) (?:tu|su) (?:red|ordenador|dispositivo)",
        r"activité inhabituelle (?:depuis|de) votre (?:réseau|ordinateur|appareil)",
        r"(?:attività|traffico) insolit[oa] (?:dalla|dal) (?:tua|tuo|sua|suo) (?:rete|computer)",
        r"(?:atividade|tráfego) (?:incomum|invulgar) (?:da|na) (?:sua|tua) rede",
    ),
    "not_found": _any(
        r"(?:the |this )?page you(?:'re| are| were)? (?:looking|searching) for (?:could not|"
        r"cannot|can't|couldn't) be found",
        r"(?:the |this )?page you (?:requested|are looking for|were looking for|tried to "
        r"(?:reach|access)) (?:does not|doesn't|no longer) exists?",
        r"(?:sorry|oops)[,!.]? (?:we )?(?:couldn't|could not|can't|cannot) find (?:that|the|this)"
        r" page",
        r"this page (?:does not|doesn't|no longer) exists?",
        r"(?:page|article|content) you (?:were|are) looking for (?:may|might) have been "
        r"(?:moved|deleted|removed)",
        r"or never existed",
        r"(?:this|the) (?:page|article|story|content) (?:is no longer available|does not exist"
        r" anymore)",
        r"this (?:page|article|story) (?:has been|was) (?:removed|deleted|taken down)",
        r"(?:error )?404(?: error)?[:.!-]? (?:page )?not found",
        r"die (?:gesuchte|angeforderte|aufgerufene) seite (?:existiert nicht|wurde nicht "
        r"gefunden|ist nicht (?:mehr )?verfügbar|gibt es nicht)",
        r"die seite, die sie (?:suchen|aufrufen wollten),? (?:existiert nicht|wurde nicht "
        r"gefunden)",
        r"(?:diese|die) seite (?:existiert nicht|gibt es nicht|wurde nicht gefunden)",
        r"la page (?:que vous (?:recherchez|cherchez|demandez)|demandée) (?:n'existe pas|"
        r"est introuvable|n'a pas été trouvée)",
        r"la página (?:que (?:buscas|busca|estás buscando)|solicitada) no (?:existe|se "
        r"encuentra|ha sido encontrada|está disponible)",
        r"a página (?:que (?:você )?(?:procura|está procurando)|solicitada) não (?:existe|foi"
        r" encontrada|está disponível)",
        r"la pagina (?:che (?:cerchi|stai cercando)|richiesta) non (?:esiste|è stata trovata|"
        r"è disponibile)",
        r"de pagina (?:die u zoekt|die je zoekt|is) (?:niet gevonden|bestaat niet)",
        r"sidan (?:du söker|kunde inte hittas|finns inte)",
        r"siden (?:du leter etter|findes ikke|finnes ikke|blev ikke fundet)",
        r"strona,? której szukasz,? nie istnieje|nie znaleziono strony",
        r"stránka,? kterou hledáte,? (?:neexistuje|nebyla nalezena)",
        r"aradığınız sayfa bulunamadı",
        r"запрашиваемая страница не найдена|страница не найдена",
        r"お探しのページは見つかりませんでした|ページが見つかりません",
        r"요청하신 페이지를 찾을 수 없습니다|페이지를 찾을 수 없습니다",
        r"您访问的页面不存在|页面不存在",
        # "may have been moved or deleted": a story says what was deleted, not what may be
        r"es posible que la página (?:haya sido|se haya) (?:movida|eliminada|borrada|movido)",
        r"la página (?:puede (?:haber|que haya)) sido (?:movida|eliminada|borrada)",
        r"la page (?:a peut-être|peut avoir) été (?:déplacée|supprimée)",
        r"la pagina (?:potrebbe essere stata|può essere stata) (?:spostata|rimossa|eliminata)",
        r"a página pode ter sido (?:movida|removida|excluída|eliminada)",
        r"die seite (?:wurde möglicherweise|könnte) (?:verschoben|entfernt|gelöscht)",
    ),
    "maintenance": _any(
        r"(?:we'?ll|we will|we are|we'?re) (?:be )?back (?:online )?(?:soon|shortly|in a few)",
        r"(?:site|website|page|we) (?:is |are |is currently |are currently )?(?:down|offline) "
        r"for (?:scheduled |planned )?maintenance",
        r"(?:this|our) (?:site|website|page) is (?:currently )?(?:undergoing|under|down for) "
        r"(?:scheduled |planned )?maintenance",
        r"we(?:'re| are) (?:currently )?(?:performing|doing|carrying out) (?:some )?"
        r"(?:scheduled |planned )?maintenance",
        r"(?:this|our) (?:site|website|page|service) is (?:currently |temporarily )?"
        r"(?:unavailable|down|offline)",
        r"(?:führen|finden) (?:derzeit |gerade )?wartungsarbeiten",
        r"wegen wartungsarbeiten",
        r"(?:diese|unsere) (?:seite|website|webseite) ist (?:derzeit |zurzeit )?"
        r"vorübergehend nicht (?:verfügbar|erreichbar)",
        r"(?:site |website )?(?:est )?en (?:cours de )?maintenance",
        r"(?:ce|notre) site est (?:momentanément|temporairement) indisponible",
        r"(?:sitio|página|web) (?:está )?en mantenimiento",
        r"(?:este|nuestro) (?:sitio|sitio web) (?:está )?temporalmente (?:no disponible|fuera"
        r" de servicio)",
        r"(?:sito )?(?:è )?in manutenzione",
        r"(?:questo|il) sito (?:è )?temporaneamente non disponibile",
        r"(?:site )?(?:está )?em manutenção",
        r"(?:este|o) site (?:está )?temporariamente indisponível",
        r"(?:wegens|vanwege) (?:gepland )?onderhoud",
        r"технические работы|скоро вернёмся|скоро вернемся",
        r"メンテナンス中|メンテナンスを(?:行って|実施して)",
        r"점검 중|점검중|서비스 점검",
        r"系统维护|维护中|維護中",
        r"przerwa techniczna|prace konserwacyjne",
        r"bakım(?:dayız| çalışması)",
    ),
    "rate_limit": _any(
        r"rate limit (?:exceeded|reached)",
        r"you(?:'ve| have) been rate[- ]limited",
        r"you(?:'ve| have) (?:made|sent) too many requests",
        r"too many requests (?:from your|in a short|have been)",
        r"sie haben zu viele anfragen",
        r"zu viele anfragen (?:von|in kurzer)",
        r"vous avez (?:envoyé|effectué) trop de requêtes",
        r"(?:has|ha) (?:realizado|enviado) demasiadas (?:solicitudes|peticiones)",
        r"hai (?:effettuato|inviato) troppe richieste",
        r"você (?:fez|enviou) muitas solicitações",
        r"je hebt te veel verzoeken",
        r"(?:enviou|fez|realizou) (?:demasiados|muitos) pedidos",
        r"demasiados pedidos|demasiadas solicitações",
        r"trop de demandes",
        r"слишком много запросов",
        r"アクセスが集中して(?:いる|おり)",
        r"접속(?:자가|이) (?:많아|폭주)",
        r"(?:访问|请求)(?:过于|太)频繁|(?:訪問|請求)(?:過於|太)頻繁",
    ),
    "login": _any(
        r"(?:please )?(?:log|sign) ?in to (?:continue|read|view|access|see)",
        r"you (?:must|need to) (?:be )?(?:logged|signed) ?in",
        r"(?:create|register for) (?:a )?(?:free )?account to (?:continue|read|keep reading)",
        r"register (?:for free )?to (?:continue|read|keep reading)",
        r"(?:log|sign) ?in or (?:register|sign ?up|create (?:a free |an )?account) to",
        r"bitte (?:melden sie sich an|loggen sie sich ein)",
        r"(?:anmelden|einloggen|registrieren),? um (?:weiterzulesen|fortzufahren)",
        r"zum weiterlesen (?:anmelden|einloggen|registrieren)",
        r"connectez-vous pour (?:lire|continuer|accéder)",
        r"identifiez-vous pour",
        r"inicia sesión para (?:seguir|continuar|leer)",
        r"regístrate para (?:seguir|continuar|leer)",
        r"accedi per (?:continuare|leggere)",
        r"faça (?:o )?login para",
        r"log in om (?:verder te lezen|door te gaan)",
        r"(?:registe-se|registre-se|cadastre-se|regístrese|iscriviti|inscrivez-vous|"
        r"registrieren sie sich)(?: gratuitamente| gratis| gratuitement| kostenlos)? "
        r"(?:para|per|pour|um) (?:continuar|seguir|continuare|continuer|weiterzulesen)",
        r"exclusivo para (?:utilizadores|usuários|usuarios) (?:registados|registrados|cadastrados)",
        r"(?:réservé|riservato|reservado) (?:aux|agli|a los|aos) (?:inscrits|membres|utenti "
        r"registrati|usuarios registrados|usuários registrados)",
        r"logg inn for å (?:lese|fortsette)|for innloggede (?:lesere|brukere)",
        r"logga in för att (?:läsa|fortsätta)",
        r"log ind for at (?:læse|fortsætte)",
        r"kirjaudu (?:sisään )?(?:lukeaksesi|jatkaaksesi)",
        r"zaloguj się,? (?:aby|by) (?:czytać|przeczytać|kontynuować)",
        r"přihlaste se,? (?:abyste|pro|k) (?:mohli |pokračování|přečtení|čtení)",
        r"ログインして(?:続きを|お読み)|続きを(?:読む|お読み)(?:いただく)?には(?:ログイン|会員登録)",
        r"로그인 후 (?:이용|열람|보실)",
        r"登录后(?:阅读|查看|继续)|登入後(?:閱讀|查看)",
        r"nur für registrierte (?:nutzer|leser|mitglieder)",
        r"for registered (?:users|readers|members) only|only available to registered",
    ),
}
# A consent wall is told by several of these in one short text: "we use cookies" alone
# is also a sentence of a story about cookies.
_CONSENT = _any(
    r"we (?:and our (?:\d+ )?(?:partners|vendors) )?(?:use|store) cookies",
    r"(?:this|our) (?:site|website) uses cookies",
    r"we and our (?:\d+ )?(?:partners|vendors)",
    r"(?:our|third[- ]party) (?:partners|vendors) (?:use|store|process)",
    r"accept all(?: cookies)?",
    r"reject all(?: cookies)?",
    r"(?:allow|accept) (?:all )?cookies",
    r"manage (?:cookie )?(?:preferences|settings|options|choices)",
    r"cookie (?:settings|preferences|policy|consent|notice)",
    r"(?:your )?privacy (?:choices|preferences|settings)",
    r"we (?:value|care about|respect) your privacy",
    r"consent to (?:the use of )?(?:cookies|(?:your )?data)",
    r"withdraw (?:your )?consent",
    r"personali[sz]ed (?:ads|advertising|content)",
    r"legitimate interest",
    r"store and(?:/or)? access information on a device",
    # The IAB consent framework's own words, as most EU consent walls put them.
    r"wir und unsere (?:\d+ )?partner",
    r"speichern und/oder greifen auf informationen auf (?:einem|ihrem) gerät zu",
    r"nous et nos (?:\d+ )?partenaires",
    r"stockons et/ou accédons à des informations sur (?:un|votre) appareil",
    r"nosotros y nuestros (?:\d+ )?(?:socios|proveedores)",
    r"almacenamos (?:y/)?o accedemos a (?:la )?información en un dispositivo",
    r"noi e i nostri (?:\d+ )?(?:partner|fornitori)",
    r"archiviamo e/o accediamo a informazioni su un dispositivo",
    r"nós e os nossos (?:\d+ )?parceiros",
    r"armazenamos e/ou ace(?:d|ss)emos a informações (?:num|em um) dispositivo",
    r"wij en onze (?:\d+ )?partners",
    r"informatie op een apparaat (?:opslaan|op te slaan) en/of",
    r"my a naši(?:ch)? (?:\d+ )?partne(?:ři|rů)",
    r"ukládáme a/nebo používáme informace v zařízení",
    r"my i nasi (?:\d+ )?partnerzy",
    r"vi och våra (?:\d+ )?partner",
    r"vi og (?:vores|våre) (?:\d+ )?partnere",
    r"personalisierte (?:anzeigen|werbung|inhalte)",
    r"publicités? (?:et (?:du )?contenus? )?personnalisée?s?",
    r"(?:anuncios|publicidad) (?:y contenido )?personalizad[oa]s?",
    r"(?:annunci|pubblicità) (?:e contenuti )?personalizzat[ie]",
    r"personalizovan(?:é|ou) reklam",
    r"precise geolocation",
    r"(?:agree|accept) (?:and|&) (?:continue|proceed|close)",
    r"by (?:clicking|continuing|using)[^.]{0,60}(?:accept|agree|consent)",
    r"wir (?:und unsere partner )?(?:verwenden|nutzen|setzen) cookies",
    r"alle akzeptieren",
    r"alle ablehnen",
    r"(?:akzeptieren|zustimmen) und weiter",
    r"(?:ihre|meine) einwilligung (?:widerrufen|verwalten|anpassen)",
    r"einwilligung (?:erteilen|geben|widerrufen|verwalten)",
    r"(?:datenschutz|cookie|privatsphäre)-?einstellungen",
    r"berechtigte[ns]? interesse",
    r"mit werbung (?:weiterlesen|lesen)|werbefrei (?:lesen|weiterlesen)|pur[- ]abo",
    r"nous (?:et nos partenaires )?utilisons des cookies",
    r"tout accepter",
    r"accepter et (?:fermer|continuer)",
    r"tout refuser",
    r"continuer sans accepter",
    r"(?:paramétrer|gérer) (?:les|mes) (?:cookies|choix)",
    r"(?:gérer|retirer|modifier) (?:mon|votre|le) consentement",
    r"(?:utilizamos|usamos) cookies",
    r"aceptar (?:todo|todas|y continuar)",
    r"rechazar (?:todo|todas)",
    r"configuración de cookies",
    r"(?:gestionar|retirar) (?:mi|su|el) consentimiento",
    r"utilizziamo (?:i )?cookie",
    r"accetta (?:tutti|e continua)",
    r"rifiuta tutti",
    r"gestisci (?:le )?(?:preferenze|opzioni)",
    r"aceitar (?:todos|e continuar)",
    r"rejeitar todos",
    r"(?:gerir|retirar) (?:o )?(?:meu |seu )?consentimento",
    r"(?:wij|we) gebruiken cookies",
    r"alles? (?:cookies )?accepteren",
    r"vi (?:använder|bruger|bruker) (?:cookies|informasjonskapsler)",
    r"(?:acceptera|godkänn) alla(?: cookies)?",
    r"(?:accepter|godta|godkjenn) alle(?: cookies| informasjonskapsler)?",
    r"używamy (?:plików )?cookie",
    r"(?:zaakceptuj|akceptuj) wszystk(?:o|ie)",
    r"používáme (?:soubory )?cookies",
    r"přijmout vše",
    r"çerez(?:ler)?(?:i)? kullanıyoruz",
    r"tümünü kabul et",
    r"мы используем (?:файлы )?cookie",
    r"принять все",
)

# A call to subscribe that says the text stops here: a teaser's. One or more per language
# of the news corpus, as publishers word them.
_PAYWALL = _any(
    r"subscribe (?:now |today )?(?:to|and) (?:continue|keep) reading",
    r"(?:to )?(?:continue|keep) reading,? (?:please )?(?:subscribe|sign up|log in|become a)",
    r"(?:continue|keep) reading with (?:a|an|your) (?:[\w+-]+ ){0,2}(?:subscription|membership)",
    r"(?:to )?read (?:the (?:full|whole|rest of the) (?:article|story)|more),? "
    r"(?:please )?(?:subscribe|sign up|become a|log in)",
    r"this (?:article|story|content|piece) is (?:only )?(?:available|reserved|exclusive) "
    r"(?:to|for) (?:subscribers|members|premium)",
    r"(?:for|exclusive to) (?:paying )?subscribers only",
    r"unlock (?:this|the full) (?:article|story)",
    r"you(?:'ve| have) (?:reached|used) (?:your|all of your) (?:free )?(?:article|story) limit",
    r"(?:jetzt )?weiterlesen mit",
    r"lesen sie (?:jetzt )?(?:weiter|den ganzen artikel) mit",
    r"(?:dieser|der) (?:artikel|beitrag|inhalt) ist (?:nur |exklusiv )?für "
    r"(?:abonnent(?:en|innen)|abonnierende)",
    r"pour lire la suite",
    r"(?:cet article|ce contenu|la suite) est réservée? aux abonnés",
    r"abonnez-vous pour (?:lire|continuer)",
    r"il vous reste \d+ ?% de cet article à lire",
    r"suscríbete para (?:seguir|continuar) leyendo",
    r"(?:contenido|artículo) (?:es )?(?:exclusivo|solo|sólo) para suscriptores",
    r"assine para (?:continuar|ler)",
    r"conteúdo (?:é )?exclusivo para assinantes",
    r"abbonati per (?:continuare|leggere)",
    r"(?:contenuto|articolo) (?:è )?riservato agli abbonati",
    r"lees verder met",
    r"(?:exclusief|alleen) voor abonnees",
    r"för att läsa vidare|läs vidare med",
    r"(?:låst|endast|bara) för prenumeranter",
    r"for at læse videre|(?:kun|forbeholdt) (?:for )?abonnenter",
    r"for å lese videre|(?:saken|artikkelen) er (?:kun |bare )?for abonnenter",
    r"aby czytać dalej|dostępny (?:tylko |wyłącznie )?dla (?:subskrybentów|prenumeratorów)",
    r"předplaťte si a čtěte|(?:jen|pouze) pro předplatitele",
    r"okumaya devam etmek için|abonelere özel",
    r"чтобы читать дальше|доступ[а-я]* только (?:для )?подписчик",
    r"記事は(?:有料)?会員限定|続きを読むには",
    r"유료 회원 전용|구독하고 계속 읽",
)
# A call to subscribe that sites also show beside full articles (in a header, to readers
# who did not log in): it counts only where a teaser puts its box, right after the text.
_PAYWALL_NEARBY = _any(
    r"subscribers? only",
    r"(?:already|are you) a (?:subscriber|member)\??",
    r"get (?:full|unlimited|digital) access",
    r"start your (?:free )?trial",
    r"(?:bereits|schon) abonnent",
    r"(?:abo|abonnement) abschließen",
    r"(?:mit|ihr) (?:z\+|plus|\+|digital)-?abo",
    r"déjà abonné",
    r"ya (?:eres|soy) suscriptor",
    r"já é assinante",
    r"sei già abbonato",
    r"(?:al|ben je al) abonnee",
    r"redan prenumerant",
    r"allerede abonnent",
    r"masz już (?:subskrypcję|prenumeratę)",
    r"(?:již|už) máte předplatné",
    r"zaten abone (?:misiniz|misin|iseniz)",
    r"уже есть подписка",
    r"이미 구독",
)
# Structured data that says the article is behind a paywall (Google's paywall markup).
_NOT_FREE = re.compile(r'"isaccessibleforfree"\s*:\s*"?false"?')


# Words one of each group's phrases must contain: a page without any of them is not
# searched with the (much slower) patterns at all, and most articles hold none.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "bot_check": (
        "human",
        "inusual",
        "inhabituelle",
        "insolit",
        "incomum",
        "invulgar",
        "robot",
        "press",
        "checking",
        "security",
        "javascript",
        "js ",
        "blocker",
        "traffic",
        "blocked",
        "bot",
        "ray id",
        "captcha",
        "mensch",
        "roboter",
        "sicherheit",
        "datenverkehr",
        "aktivität",
        "humain",
        "humano",
        "pessoa",
        "robô",
        "робот",
        "sicherheit ihrer",
        "sécurité",
        "seguridad",
        "sicurezza",
        "segurança",
        "beveiliging",
        "umano",
        "humain",
    ),
    "not_found": (
        "page",
        "found",
        "exist",
        "removed",
        "deleted",
        "taken down",
        "404",
        "seite",
        "página",
        "pagina",
        "sidan",
        "siden",
        "strona",
        "stránka",
        "sayfa",
        "страниц",
        "ページ",
        "페이지",
        "页面",
        "moved",
        "existed",
        "available",
        "sie suchen",
    ),
    "maintenance": (
        "back",
        "maintenance",
        "unavailable",
        "down",
        "offline",
        "wartung",
        "verfügbar",
        "erreichbar",
        "indisponible",
        "mantenimiento",
        "disponible",
        "manutenzione",
        "disponibile",
        "manutenção",
        "indisponível",
        "onderhoud",
        "технич",
        "вернём",
        "вернем",
        "メンテナンス",
        "점검",
        "维护",
        "維護",
        "przerwa",
        "prace",
        "bakım",
    ),
    "rate_limit": (
        "rate",
        "アクセス",
        "접속",
        "频繁",
        "頻繁",
        "too many",
        "zu viele",
        "trop de",
        "demasiadas",
        "troppe",
        "muitas",
        "te veel",
        "pedidos",
        "solicitações",
        "demandes",
        "запросов",
    ),
    "login": (
        "log",
        "kirjaudu",
        "zaloguj",
        "přihlas",
        "ログイン",
        "続き",
        "로그인",
        "登录",
        "登入",
        "sign",
        "account",
        "register",
        "melden",
        "einloggen",
        "anmelden",
        "registrieren",
        "connectez",
        "identifiez",
        "sesión",
        "regístrate",
        "accedi",
        "login",
        "log in",
        "registe",
        "registre",
        "cadastre",
        "regístrese",
        "iscriviti",
        "inscrivez",
        "exclusivo",
        "réservé",
        "riservato",
        "reservado",
        "registrierte",
        "registered",
    ),
    "consent": (
        "cookie",
        "partner",
        "gerät",
        "appareil",
        "dispositivo",
        "apparaat",
        "zařízení",
        "personalisiert",
        "personnalisé",
        "personalizad",
        "personalizzat",
        "personalizovan",
        "consent",
        "privacy",
        "partners",
        "vendors",
        "accept all",
        "reject all",
        "legitimate interest",
        "on a device",
        "geolocation",
        "personalised",
        "personalized",
        "agree and",
        "agree &",
        "accept and",
        "accept &",
        "by clicking",
        "by continuing",
        "by using",
        "einwilligung",
        "akzeptieren",
        "ablehnen",
        "zustimmen und",
        "einstellungen",
        "berechtigte",
        "mit werbung",
        "werbefrei",
        "pur-abo",
        "pur abo",
        "accepter",
        "refuser",
        "consentement",
        "aceptar",
        "rechazar",
        "consentimiento",
        "utilizziamo",
        "accetta",
        "rifiuta",
        "gestisci",
        "aceitar",
        "rejeitar",
        "consentimento",
        "accepteren",
        "informasjonskapsler",
        "acceptera alla",
        "godkänn alla",
        "accepter alle",
        "godta alle",
        "godkjenn alle",
        "używamy",
        "akceptuj",
        "používáme",
        "přijmout vše",
        "çerez",
        "tümünü kabul",
        "используем",
        "принять все",
    ),
    "paywall": (
        "subscri",
        "member",
        "unlock",
        "full access",
        "unlimited access",
        "digital access",
        "trial",
        "limit",
        "weiterlesen",
        "abonn",
        "abo ",
        "-abo",
        "lire la suite",
        "suscr",
        "assin",
        "abbon",
        "lees verder",
        "läs vidare",
        "läsa vidare",
        "prenumerant",
        "reading with",
        "lesen sie",
        "vous reste",
        "læse videre",
        "lese videre",
        "czytać dalej",
        "subskry",
        "prenumerat",
        "předplat",
        "čtěte",
        "okumaya",
        "abone",
        "подпис",
        "читать дальше",
        "会員",
        "続きを読む",
        "회원",
        "구독",
    ),
}


def _phrase(pattern: re.Pattern[str], lowered: str, anchors: tuple[str, ...]) -> str | None:
    if not any(anchor in lowered for anchor in anchors):
        return None
    match = pattern.search(lowered)
    return " ".join(match[0].split()) if match else None


def detect_wall(
    title: str | None, headline: str | None, text: str, *, article_chars: int | None = None
) -> Wall | None:
    """The wall a page is, or None when it may be the article.

    ``title`` is the page's ``<title>``, ``headline`` its first ``<h1>``, ``text`` what a
    reader sees of it (the extracted article, or the page's visible text when no article
    was found); ``article_chars`` the length of the extracted article, if any. A title or
    headline that is a wall's counts only while the article is short too: a story titled
    "Access denied" over a thousand words is a story.
    """
    article_chars = len(text) if article_chars is None else article_chars
    if article_chars <= MAX_WALL_CHARS:
        for candidate in (title, headline):
            found = wall_title(candidate)
            if found is not None:
                return found
    if len(text) > MAX_LONG_CONSENT_CHARS:
        return None
    lowered = text.lower()
    if len(text) <= MAX_WALL_CHARS:
        for kind, pattern in _PHRASES.items():
            phrase = _phrase(pattern, lowered, _ANCHORS[kind])
            if phrase is not None:
                return Wall(kind, f"the page says {phrase!r}")
    if any(anchor in lowered for anchor in _ANCHORS["consent"]):
        matches = list(_CONSENT.finditer(lowered))
        phrases = _distinct(matches)
        short = len(text) <= MAX_CONSENT_CHARS
        # A long one says it all through: a story that quotes a wall does so a few times.
        dense = len(matches) * 1000 >= len(text) * MIN_LONG_CONSENT_DENSITY
        if len(phrases) >= (MIN_CONSENT_PHRASES if short else MIN_LONG_CONSENT_PHRASES) and (
            short or dense
        ):
            shown = ", ".join(repr(p) for p in phrases[:3])
            return Wall("consent", f"the page says {shown}")
    return None


def _distinct(matches: Iterable[re.Match[str]]) -> list[str]:
    seen: list[str] = []
    for match in matches:
        phrase = " ".join(match[0].lower().split())
        if phrase not in seen:
            seen.append(phrase)
    return seen


def paywall_evidence(text: str, *, nearby: bool = False) -> str | None:
    """Why ``text`` looks like a paywall's: a call to subscribe that says the text stops
    ("subscribe to continue reading", "Jetzt weiterlesen mit ...", "La suite est réservée
    aux abonnés"); with ``nearby`` (the text right after an article), also the calls that
    sites put beside full articles too ("Already a subscriber?"). None without one."""
    lowered = text.lower()
    phrase = _phrase(_PAYWALL, lowered, _ANCHORS["paywall"])
    if phrase is None and nearby:
        phrase = _phrase(_PAYWALL_NEARBY, lowered, _ANCHORS["paywall"])
    return f"the page says {phrase!r}" if phrase is not None else None


def paywall_calls(text: str) -> list[tuple[str, int, bool]]:
    """Every call to subscribe in ``text``, those of :func:`paywall_evidence` with
    ``nearby``: each as its phrase (lower-cased), where in ``text`` it starts, and whether
    it is one that sites show beside full articles too; in order. What a page shows of
    them, to tell a teaser's box where the article stops from the calls a site shows
    beside every article (``storage/soft_failures.py``)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lower-cases to two characters: keep the offsets
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if not any(anchor in lowered for anchor in _ANCHORS["paywall"]):
        return []
    found = [
        (" ".join(match[0].split()), match.start(), nearby)
        for pattern, nearby in ((_PAYWALL, False), (_PAYWALL_NEARBY, True))
        for match in pattern.finditer(lowered)
    ]
    return sorted(found, key=lambda call: call[1])


def not_free(scripts: str) -> bool:
    """Whether structured data (JSON-LD) says the article is not free to read."""
    return bool(scripts) and _NOT_FREE.search(scripts.lower()) is not None
