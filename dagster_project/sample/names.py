"""Invented, French-sounding names of people and companies, each handed out once.

The names carry the characters the readers must survive (é, ’, œ, Ä), and no name is given
twice so that a record can be told from another by its name when reading the sample.
"""

from __future__ import annotations

import random
import unicodedata


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string: long name lists stay readable and short."""
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    """Like ``_words`` for items that contain spaces, separated by ``|``."""
    return tuple(text.split("|"))


FIRST_NAMES = _words(
    "Camille Julien Hélène Thomas Anaïs Nicolas Élodie Mathieu Chloé Sébastien Léa "
    "Antoine Manon Guillaume Zoé Jérôme Gaëlle François Inès Benoît Margaux Loïc Pauline "
    "Romain Océane Cédric Aurélie Maxime Clémence Hugo Sarah Damien Noémie Bastien "
    "Justine Adrien Mélanie Quentin Céline Florian Agnès Rémi Laure Thibault Maëlle "
    "Yannick Solène Grégoire Estelle Arnaud Héloïse Lucas Victoire Étienne Capucine "
    "Olivier Bérénice Raphaël Nadège Vincent"
)
LAST_NAMES = _words(
    "Martin Lefèvre Ménard Girard Bérenger Gauthier Lemaître Roussel Fournier Chevalier "
    "Mercier Dubois Lambert Faure Rousseau Blanchard Guérin Boyer Garnier Perrin Morel "
    "Lacroix Dupré Carré Hébert Brunet Leroy Marchand Picard Noël Aubert Renaud Bouvier "
    "Besnard Caron Gaillard Joly Lemoine Barbier Rey Collet Daubié Vasseur Prévost Texier "
    "Meunier Cordier Hamon Lebrun Poirier Féraud Tessier Maréchal Giraud Rivière Delorme "
    "Jacquet Sauvage Langlois Bénard"
)
COMPANY_PREFIXES = _words(
    "Société Groupe Ateliers Établissements Laboratoires Transports Compagnie Industries "
    "Imprimerie Menuiserie Cabinet Fromagerie Brasserie Chaudronnerie Papeteries Verrerie "
    "Domaine"
)
COMPANY_CORES = _items(
    "du Rhône|de la Vallée|Lefèvre|Ménard & Fils|Bérenger|des Alpes|Côte d\u2019Opale|"
    "de Saint-Étienne|Beaulieu|Mercier|Océane|Val de Saône|des Sœurs Martin|"
    "de l\u2019Étoile|Bretagne Nord|Provence Énergie|Garonne|Loire Atlantique|"
    "de la Montagne Noire|des Cévennes|du Léman|Hébert|d\u2019Armor|Côte Vermeille|"
    "du Périgord|Vosges Précision|de l\u2019Estuaire|Cœur d\u2019Argoat|Morvan|"
    "du Béarn|Marne & Oise|Garrigues|Émeraude"
)
SCENARIO_ACCOUNT_NAMES = {  # reserved: no generic account takes these names
    "heart": "Cœur de Loire SARL",
    "twin": "Coeur de Loire",
    "sge": "Société Générale d\u2019Équipement",
    "usd": "Harbor Point Logistics Inc.",
    "gbp": "Thames Components Ltd",
    "chf": "Helvetia Präzision AG",
}
COMPANY_FORMS = ("SARL", "SAS", "SA", "", "")
FOREIGN_COMPANY_PARTS = {  # country: (names, activities and legal forms)
    "US": (
        _items(
            "Harbor Point|Great Lakes|Redwood|Blue Ridge|Summit Valley|Lakeshore|Granite Peak|"
            "Prairie Wind|Cedar Creek|Silver Bay"
        ),
        _items("Logistics Inc.|Fixtures LLC|Analytics Corp.|Packaging Inc.|Foods LLC|Systems Inc."),
    ),
    "GB": (
        _items("Thames|Pennine|Kestrel|Severn|Hadley & Crowe|Cotswold|Mersey|Highland"),
        _items("Components Ltd|Engineering plc|Retail Group Ltd|Instruments Ltd|Holdings Ltd"),
    ),
    "CH": (
        _items("Helvetia|Léman|Bergtal|Zürichsee|Jura|Engadin"),
        _items("Präzision AG|Horlogerie SA|Pharma AG|Logistik AG|Technik AG"),
    ),
    "DE": (
        _items("Rheinwerk|Nordlicht|Isar|Schwarzwald|Elbtal"),
        _items("Maschinenbau GmbH|Handel GmbH|Medizintechnik GmbH|Logistik GmbH"),
    ),
    "ES": (
        _items("Iberia|Costa Verde|Sierra Norte|Levante"),
        _items("Servicios SL|Alimentación SA|Industrial SL"),
    ),
    "IT": (
        _items("Officine Lombarde|Ceramiche del Po|Adriatica|Toscana Vetri"),
        _items("SpA|Srl"),
    ),
    "BE": (
        _items("Ardennes Métal|Liège Automation|Anvers Logistique|Brabant Bureautique"),
        _items("SA|SRL|NV"),
    ),
    "LU": (
        _items("Moselle Finance|Kirchberg Conseil"),
        _items("SA|SARL"),
    ),
}


def _ascii(text: str) -> str:
    """Accents removed, for e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isalnum())


class NameBook:
    """The names and e-mail addresses handed out so far, so that none is handed out twice."""

    def __init__(self) -> None:
        self._people: set[tuple[str, str]] = set()
        self._emails: set[str] = set()
        self._companies: set[str] = set(SCENARIO_ACCOUNT_NAMES.values())

    def person(self, rng: random.Random) -> tuple[str, str, str]:
        """First name, last name and work e-mail of a new person."""
        for _ in range(50):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in self._people:
                break
        self._people.add((first, last))
        local = f"{_ascii(first)}.{_ascii(last)}".lower()
        email, n = f"{local}@example.com", 2
        while email in self._emails:
            email, n = f"{local}{n}@example.com", n + 1
        self._emails.add(email)
        return first, last, email

    def company(self, rng: random.Random, country: str) -> str:
        """A company name not used yet: French ones mostly, local ones abroad."""
        for _ in range(40):
            if country == "FR" or (country in ("BE", "LU") and rng.random() < 0.5):
                form = rng.choice(COMPANY_FORMS)
                name = f"{rng.choice(COMPANY_PREFIXES)} {rng.choice(COMPANY_CORES)} {form}"
            else:
                names, forms = FOREIGN_COMPANY_PARTS[country]
                name = f"{rng.choice(names)} {rng.choice(forms)}"
            if name.strip() not in self._companies:
                break
        name, number = name.strip(), 2
        while name in self._companies:  # only at large scales
            name, number = f"{name.rsplit(' (', 1)[0]} ({number})", number + 1
        self._companies.add(name)
        return name
