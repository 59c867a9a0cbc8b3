"""The demo: two accounts, a fictional municipality and one plan filled on every item.

Kandia is an invented mid-sized city of Senegal; its people, companies and programmes are invented
too. The content is plain data, written in worksheet order through the same services as a team's
edits, so the plan carries answers, records and a history exactly like a real one. Records point at
each other by a key of this file (`Ref`), which becomes the uid `record_add` returned.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import transaction

from jalon.accounts.models import User
from jalon.organisations.models import Organisation, Role
from jalon.organisations.services import membership_add, organisation_create
from jalon.worksheets.schema import ItemKind

from .advice import advice_set_aside
from .demo_versions import demo_snapshot
from .models import Plan, Record, UrbanService
from .services import answer_save, definition_of, plan_create, record_add
from .signals import demo_loaded

PASSWORD = "jalon-demo"  # the published demo login (GUIDE §8)  # noqa: S105  # nosec B105
DEMO_USER = {"email": "demo@example.org", "name": "Awa Demba"}
COLLEAGUE = {"email": "moussa@example.org", "name": "Moussa Diallo"}
ORGANISATION = {
    "name": "Commune de Kandia",
    "country": "Sénégal",
    "city": "Kandia",
    "currency": "XOF",
}


class PlanFacts(TypedDict):
    service: str
    title: str
    horizon: datetime.date


PLAN: PlanFacts = {
    "service": UrbanService.SOLID_WASTE,
    "title": "Déchets solides : collecte et valorisation 2026-2028",
    "horizon": datetime.date(2028, 12, 31),
}


@dataclass(frozen=True)
class Ref:
    """Another demo record, by its key in `RECORDS`."""

    key: str


def _prose(text: str) -> str:
    """A text spread over several lines of this file, as the paragraphs a person would type."""
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _xof(amount: int) -> dict[str, str]:
    return {"amount": str(amount), "currency": "XOF"}


# Items written by the colleague, the head of the technical service; Awa, the digital officer at
# the mayor's office, writes the others. Two names then show in « Enregistré par … ».
BY_COLLEAGUE = {
    "competences",
    "maturity_equipment",
    "maturity_uses",
    "maturity_online",
    "maturity_data",
    "maturity_mapping",
    "maturity_services",
    "maturity_startups",
    "perimeters",
    "roadmap",
    "baseline_data",
    "indicators",
}

# Answers to the items that are not lists, by item id.
ANSWERS: dict[str, Any] = {
    # 1.1
    "orientation": {
        "choice": "alternative_providers",
        "note": _prose("""
            Près de 60 % des ménages de Kandia ne sont servis que par les charretiers de
            pré-collecte, et environ 400 récupérateurs vivent du tri à la décharge de Ndiéké. Le
            service ne tient déjà que grâce à eux : le numérique doit d’abord les rendre visibles,
            les relier aux camions de Kandia Propreté et sécuriser leurs revenus, plutôt que de
            les remplacer par une application de ramassage à la demande.
        """),
    },
    # 1.2
    "excluded_groups_text": _prose("""
        Trois groupes restent en dehors du service. Les quartiers non lotis de la périphérie nord
        (Ndiéké Extension, Sinthiou Kandia) : pistes sablonneuses où les camions n’entrent pas, et
        aucun GIE de charretiers installé. Les ménages pauvres des quartiers denses (Diamaguène,
        Santhiaba Nord), qui ne peuvent pas payer 1 500 FCFA par mois d’un coup et brûlent ou
        déversent leurs ordures dans les canaux. Les personnes âgées, les ménages sans téléphone
        et ceux qui ne lisent pas le français.

        Le numérique peut accentuer cette exclusion si le paiement passe uniquement par mobile
        money, si les réclamations ne se font que par WhatsApp en français, ou si l’optimisation
        GPS des tournées concentre les camions sur les axes bitumés du centre, déjà les mieux
        servis.
    """),
    "informal_operators_text": _prose("""
        Les quelque 260 charretiers de pré-collecte, regroupés en 11 GIE au sein de l’Union des
        GIE de pré-collecte de Kandia, qui vivent de la redevance versée par les ménages ; les
        récupérateurs de la décharge de Ndiéké (association And Suxali), qui trient plastiques,
        métaux et os ; et les acheteurs ambulants de matières recyclables (bana-bana), qui
        revendent aux grossistes. Un paiement versé directement à l’opérateur, une application
        de ramassage à la demande ou la fermeture de la décharge au profit d’un centre de tri
        mécanisé leur retireraient leur activité.
    """),
    # 2.1
    "funding_programmes_text": _prose("""
        Côté national, le programme d’appui aux communes numériques ouvre chaque année un guichet
        « services urbains » ; la commune peut y présenter la ligne de réclamation. Côté bailleurs,
        une facilité multi-bailleurs pour les villes inclusives et numériques d’Afrique de l’Ouest
        lance son appel 2027 au premier trimestre, et finance le matériel comme l’assistance
        technique. La fondation de l’opérateur Sahel Télécom finance par appel à projets des
        services mobiles à impact social, ce qui convient au paiement de la redevance.
    """),
    "informal_place": _prose("""
        Le code de l’hygiène et le contrat de délégation de 2021 ne parlent que de l’opérateur
        Kandia Propreté : charretiers et récupérateurs n’y ont aucun statut. Les GIE de
        pré-collecte sont tolérés et, depuis l’arrêté municipal n° 2024-031, autorisés à vider
        leurs charrettes aux 38 points de regroupement, mais la redevance qu’ils perçoivent n’est
        encadrée par aucun texte. Les récupérateurs travaillent sur la décharge sans convention ;
        la société nationale en charge des décharges les tolère tant qu’ils ne gênent pas les
        camions.
    """),
    "competences": _prose("""
        Le code des collectivités territoriales confie à la commune la propreté et la gestion des
        déchets ménagers. La commune a délégué la collecte par camions et le transport vers la
        décharge à Kandia Propreté SA (contrat de 2021, renouvelable en 2027). La décharge de
        Ndiéké et le financement d’une partie du carburant relèvent de la société nationale de
        gestion des déchets, sous la tutelle du ministère chargé de l’Hygiène publique. La
        pré-collecte par charrettes n’est confiée à personne : les GIE s’organisent directement
        avec les ménages. Le service de l’hygiène et de la propreté de la commune contrôle
        l’opérateur, mais sans données de tournées.
    """),
    # 2.2
    "maturity_equipment": {
        "level": 1,
        "target": 3,
        "target_date": "2027-12-31",
        "note": _prose("""
            Le service de l’hygiène a deux ordinateurs, dont un partagé avec l’état civil, et une
            connexion 4G par clé qui coupe souvent. Kandia Propreté a trois postes au siège ; sur
            ses 14 camions, 9 roulent et aucun n’a de GPS. Les chefs d’équipe utilisent leur
            téléphone personnel. Source : visite du garage et du service, septembre 2026.
        """),
    },
    "maturity_uses": {
        "level": 2,
        "target": 3,
        "target_date": "2027-12-31",
        "note": _prose("""
            La facturation de la commune à l’opérateur et le suivi du carburant sont tenus sur
            tableur ; les tournées sont organisées dans un groupe WhatsApp des chefs d’équipe.
            Trois GIE sur onze notent les redevances sur un téléphone, les autres sur des carnets.
            Aucun logiciel métier. Source : entretiens avec Kandia Propreté et l’UGPK.
        """),
    },
    "maturity_online": {
        "level": 1,
        "target": 2,
        "target_date": "2027-06-30",
        "note": _prose("""
            La page Facebook de la commune (environ 12 000 abonnés) parle surtout des cérémonies ;
            les messages sur les ordures restent sans réponse. Kandia Propreté n’a ni site ni page.
            Source : relevé des publications de janvier à septembre 2026.
        """),
    },
    "maturity_data": {
        "level": 1,
        "target": 3,
        "target_date": "2028-06-30",
        "note": _prose("""
            Les carnets de bord des camions notent les rotations, mais restent au garage ; le
            pont-bascule de la décharge est en panne depuis mars 2025, donc aucune pesée fiable.
            Les plaintes sont notées à la main dans un cahier au cabinet du maire. Rien n’est
            centralisé. Source : inventaire des registres, atelier du 14 octobre 2026.
        """),
    },
    "maturity_mapping": {
        "level": 2,
        "target": 3,
        "target_date": "2027-12-31",
        "note": _prose("""
            Les 38 points de regroupement figurent sur un plan papier de 2019. Lors d’une
            cartopartie en 2024, les étudiants de l’ISEP ont saisi dans OpenStreetMap les points de
            regroupement et les dépôts sauvages de deux quartiers (Escale et Médina), sans mise à
            jour depuis. Source : plan du service technique, données OpenStreetMap.
        """),
    },
    "maturity_services": {
        "level": 0,
        "target": 2,
        "target_date": "2027-06-30",
        "note": _prose("""
            Aucun service numérique pour les usagers : la redevance se paie en espèces au
            charretier, les réclamations se font par téléphone ou en se rendant à la mairie, les
            jours de passage des camions ne sont publiés nulle part. Source : enquête auprès de 200
            ménages de quatre quartiers, juin 2026.
        """),
    },
    "maturity_startups": {
        "level": 2,
        "target": 3,
        "target_date": "2028-06-30",
        "note": _prose("""
            La start-up Tekki Track équipe de traceurs GPS une flotte de livreurs à moto et
            souhaite tester son tableau de bord sur des camions. Une équipe d’étudiants a prototypé
            lors du hackathon de 2025 une application de vente des matières recyclables, sans
            suite. Aucun contact suivi avec la commune. Source : incubateur de l’ISEP, rencontre de
            juillet 2026.
        """),
    },
    # 3.1
    "actor_types": {
        "choices": [
            "local_authorities",
            "private_companies",
            "telecoms",
            "startups_small_operators",
            "social_economy_ngos",
            "citizens",
            "universities",
        ],
        "note": _prose("""
            Tous les types sont concernés. Les charretiers sont classés parmi les petits
            opérateurs informels, les récupérateurs parmi les organisations communautaires ; les
            délégués de quartier et les comités de salubrité représentent les habitants.
        """),
    },
    # 5.1
    "affordable_tools": {
        "choices": [
            "mobile_apps",
            "social_networks_forums",
            "open_data",
            "dashboards_databases",
            "gis_imagery",
            "connected_objects",
            "crowdsourcing",
            "citizen_collection",
            "municipal_buildings_connection",
        ],
        "note": _prose("""
            Des outils qui tournent sur les téléphones que les charretiers et les ménages ont déjà
            (mobile money, WhatsApp, SMS), des traceurs GPS à moins de 60 000 FCFA par camion avec
            un tableau de bord en ligne, et OpenStreetMap pour la carte des points de regroupement,
            mise à jour par les étudiants et les comités de salubrité. Le seul investissement lourd
            est une connexion fiable du service de l’hygiène à la fibre de la mairie.
        """),
    },
    # 5.2
    "position_data": {
        "choice": "to_build",
        "target": "asset",
        "target_date": "2027-12-31",
        "note": _prose("""
            Les données existent sur papier (carnets de bord, cahiers des GIE, cahier des plaintes)
            mais ne remontent pas. Le contrat de 2027 avec Kandia Propreté devra prévoir que les
            données GPS appartiennent à la commune et qu’une partie est publiée en données
            ouvertes.
        """),
    },
    "position_innovation_agenda": {
        "choice": "to_build",
        "target": "asset",
        "target_date": "2027-06-30",
        "note": _prose("""
            Pas encore de feuille de route numérique municipale. Ce plan en tient lieu pour les
            déchets ; les co-financeurs visés sont le programme national, la facilité
            multi-bailleurs et la fondation Sahel Télécom.
        """),
    },
    "position_team": {
        "choice": "asset",
        "target": "asset",
        "target_date": "2026-12-31",
        "note": _prose("""
            Une cellule numérique de trois personnes existe au cabinet du maire depuis 2025, et
            deux agents du service de l’hygiène, dont son chef, sont volontaires. Ils manquent de
            temps plus que de motivation.
        """),
    },
    "position_innovation_funds": {
        "choice": "to_build",
        "target": "asset",
        "target_date": "2027-12-31",
        "note": _prose("""
            2 millions de FCFA peuvent être inscrits au budget 2027 pour un atelier d’innovation
            ouverte avec l’ISEP et une petite subvention de prototype ; au-delà, il faut un
            co-financement.
        """),
    },
    "position_infrastructure_funds": {
        "choice": "obstacle",
        "target": "to_build",
        "target_date": "2028-12-31",
        "note": _prose("""
            Le budget d’investissement est absorbé par le réseau de drainage et le marché central
            jusqu’en 2028. Les traceurs et le serveur devront être financés par les partenaires ou
            loués en service.
        """),
    },
    # 5.3
    "scale_up": _prose("""
        Si les pilotes tiennent leurs cibles fin 2027, la commune inscrira dans le nouveau contrat
        de délégation l’équipement GPS des 14 camions et la publication mensuelle des tournées,
        étendra le paiement par mobile money aux 11 GIE de l’UGPK avec une convention
        commune–Union qui reconnaît les charretiers comme pré-collecteurs agréés, et fera de la
        ligne Allô Propreté le guichet unique des réclamations, financé au budget ordinaire à
        partir de 2028. Les quartiers non lotis du nord seront couverts en priorité par des
        points de regroupement fixes relevés sur la carte.
    """),
    # 6.1
    "baseline_data": _prose("""
        Existent déjà : les carnets de bord des camions (rotations, carburant), les cahiers de
        redevance des GIE, le cahier des plaintes du cabinet du maire, l’enquête ménages de juin
        2026 et le recensement des dépôts sauvages fait avec les comités de salubrité en mai
        2026. Le pont-bascule est en panne : les tonnages sont estimés au nombre de rotations.

        Pour mesurer l’évolution : les traces GPS des camions, les relevés de paiement mobile
        money transmis chaque mois par Sahel Télécom, le registre des réclamations de la ligne
        Allô Propreté, et une nouvelle enquête ménages fin 2027.
    """),
    # 6.2
    "communication_channels": {
        "choices": [
            "communication_campaigns",
            "social_media_presence",
            "call_centres",
            "complaints_system",
            "issue_reporting_tools",
            "participatory_schemes",
            "open_data",
        ],
        "note": _prose("""
            Le numérique ne suffit pas : la radio communautaire Kandia FM en wolof et en pulaar,
            les crieurs publics du marché central et les réunions des délégués de quartier
            annonceront chaque nouveau service. Les données des tournées seront publiées sur le
            portail de la commune une fois le pilote GPS stabilisé.
        """),
    },
}

# Records of the lists, by item id, then by a key that other records use to point at them.
RECORDS: dict[str, dict[str, dict[str, Any]]] = {
    # 1.2
    "excluded_groups": {
        "north_outskirts": {
            "name": "Quartiers non lotis de la périphérie nord (Ndiéké Extension, Sinthiou Kandia)",
            "why": _prose("""
                Pistes sablonneuses où les camions ne passent pas, aucun GIE de charretiers
                installé, habitat récent non reconnu par le cadastre.
            """),
            "risk": _prose("""
                Des tournées optimisées par GPS sur les seules voies praticables et un service
                payé en ligne les rendraient encore plus invisibles.
            """),
            "mitigation": _prose("""
                Placer des points de regroupement fixes en bordure des pistes, les cartographier
                avec les habitants, et inviter un GIE à s’y installer avec l’appui du pilote
                mobile money.
            """),
        },
        "poor_households": {
            "name": "Ménages pauvres des quartiers denses (Diamaguène, Santhiaba Nord)",
            "why": _prose("""
                La redevance de 1 500 FCFA par mois, demandée en une fois, dépasse ce que peuvent
                avancer les ménages aux revenus journaliers ; beaucoup brûlent leurs ordures.
            """),
            "risk": _prose("""
                Un paiement mobile au mois, avec frais de retrait, écarterait ceux qui paient
                aujourd’hui par petites sommes.
            """),
            "mitigation": _prose("""
                Permettre des paiements de 250 FCFA par semaine, sans frais pour le ménage, et
                garder le paiement en espèces au charretier.
            """),
        },
        "no_phone": {
            "name": "Personnes âgées et ménages sans téléphone ou qui ne lisent pas le français",
            "why": _prose("""
                Ils dépendent du charretier ou du délégué de quartier pour toute démarche.
            """),
            "risk": _prose("""
                Réclamations par WhatsApp écrites en français et reçus dématérialisés les
                excluraient.
            """),
            "mitigation": _prose("""
                Ligne Allô Propreté joignable par simple appel et messages vocaux en wolof et en
                pulaar ; relais par les délégués de quartier ; reçu papier toujours possible.
            """),
        },
    },
    "informal_operators": {
        "charretiers": {
            "name": "Charretiers de pré-collecte (Union des GIE de pré-collecte de Kandia)",
            "why": _prose("""
                Environ 260 charretiers à traction asine passent deux à trois fois par semaine
                chez les ménages abonnés et vident aux points de regroupement, contre 1 000 à
                1 500 FCFA par mois et par ménage.
            """),
            "risk": _prose("""
                Une redevance payée directement à la commune ou à l’opérateur, ou une collecte
                porte-à-porte par camion guidée par GPS, court-circuiterait leur relation avec
                les ménages.
            """),
            "mitigation": _prose("""
                Faire des charretiers les agents du pilote mobile money : le paiement arrive sur
                le compte de leur GIE, ils reçoivent un badge et une formation, et leurs horaires
                aux points de regroupement sont coordonnés avec les camions.
            """),
        },
        "recuperateurs": {
            "name": "Récupérateurs de la décharge de Ndiéké (association And Suxali)",
            "why": _prose("""
                Environ 400 personnes, dont une majorité de femmes, trient plastiques, métaux et
                os à la décharge et les revendent aux grossistes.
            """),
            "risk": _prose("""
                Le suivi des rotations et la future réhabilitation de la décharge pourraient
                aboutir à en fermer l’accès sans solution pour eux.
            """),
            "mitigation": _prose("""
                Les recenser avec leur association, leur réserver une aire de tri sécurisée, et
                les associer à tout projet de centre de tri.
            """),
        },
        "bana_bana": {
            "name": "Acheteurs ambulants de matières recyclables (bana-bana)",
            "why": _prose("""
                Ils rachètent bouteilles, ferraille et cartons aux ménages et aux récupérateurs
                pour les grossistes de la zone industrielle.
            """),
            "risk": _prose("""
                Une place de marché en ligne entre ménages et recycleurs les contournerait.
            """),
            "mitigation": _prose("""
                Ne pas lancer de place de marché sans eux ; les inviter à l’atelier d’innovation
                ouverte de 2027.
            """),
        },
    },
    # 2.1
    "funding_programmes": {
        "national_programme": {
            "name": "Programme national d’appui aux communes numériques – guichet services urbains",
            "funder": "Ministère chargé des Collectivités territoriales",
            "kind": "national_programme",
            "deadline": "2027-02-26",
            "amount": _xof(25_000_000),
            "link": "Circulaire n° 0047 du 3 septembre 2026 ; dossier à déposer à l’ARD",
        },
        "facility": {
            "name": "Facilité Villes inclusives et numériques d’Afrique de l’Ouest – appel 2027",
            "funder": "Fonds multi-bailleurs pour les villes durables",
            "kind": "international_programme",
            "deadline": "2027-04-15",
            "amount": _xof(60_000_000),
            "link": "https://example.org/facilite-villes-numeriques/appel-2027",
        },
        "foundation_call": {
            "name": "Appel à projets Innovation sociale 2027",
            "funder": "Fondation Sahel Télécom",
            "kind": "call_for_projects",
            "deadline": "2027-01-08",
            "amount": _xof(8_000_000),
            "link": "https://example.org/fondation-sahel-telecom/innovation-sociale",
        },
    },
    # 3.1
    "actors": {
        "commune": {
            "name": "Service de l’hygiène et de la propreté, Commune de Kandia",
            "type": "local_authorities",
            "contact": "Moussa Diallo, chef de service — hygiene@kandia.example.org",
            "description": _prose("""
                Contrôle l’opérateur délégué, gère les 38 points de regroupement et reçoit les
                plaintes. Porte la ligne Allô Propreté avec la cellule numérique du cabinet.
            """),
        },
        "operator": {
            "name": "Kandia Propreté SA",
            "type": "private_companies",
            "contact": "Ibrahima Sow, directeur d’exploitation — i.sow@kandia-proprete.example",
            "description": _prose("""
                Opérateur délégué depuis 2021 : collecte par camions aux points de regroupement
                et transport vers la décharge de Ndiéké, avec 14 camions dont 9 en service.
            """),
        },
        "telecom": {
            "name": "Sahel Télécom (service Sahel Money)",
            "type": "telecoms",
            "contact": "Aïssatou Ba, partenariats publics — a.ba@sahel-telecom.example",
            "description": _prose("""
                Premier opérateur mobile de la région ; son porte-monnaie électronique Sahel Money
                compte environ 120 000 comptes actifs à Kandia.
            """),
        },
        "startup": {
            "name": "Tekki Track SARL",
            "type": "startups_small_operators",
            "contact": "Cheikh Ndour, cofondateur — contact@tekkitrack.example",
            "description": _prose("""
                Start-up issue de l’incubateur de l’ISEP : traceurs GPS bon marché et tableau de
                bord de suivi de flotte, déjà utilisés par 80 livreurs à moto.
            """),
        },
        "precollectors": {
            "name": "Union des GIE de pré-collecte de Kandia (UGPK)",
            "type": "startups_small_operators",
            "contact": "Mamadou Faye, président — par le délégué du quartier Darou Salam",
            "description": _prose("""
                Fédère 11 GIE et environ 260 charretiers qui assurent la pré-collecte
                porte-à-porte dans 12 des 16 quartiers.
            """),
        },
        "recyclers": {
            "name": "Association And Suxali des récupérateurs de Ndiéké",
            "type": "social_economy_ngos",
            "contact": "Ndèye Sarr, présidente",
            "description": _prose("""
                Représente environ 400 récupérateurs de la décharge ; négocie les prix avec les
                grossistes et organise une tontine de santé.
            """),
        },
        "committees": {
            "name": "Comités de salubrité des quartiers Darou Salam et Santhiaba",
            "type": "citizens",
            "contact": "Délégués de quartier, réunion mensuelle à la mairie annexe",
            "description": _prose("""
                Bénévoles qui organisent les journées de nettoyage (set setal) et signalent les
                dépôts sauvages ; ont participé au recensement de mai 2026.
            """),
        },
        "university": {
            "name": "ISEP de Kandia, filière Métiers du numérique",
            "type": "universities",
            "contact": "Dr Fatou Kiné Mbaye, responsable de filière",
            "description": _prose("""
                Institut supérieur d’enseignement professionnel : stages, cartopartie
                OpenStreetMap, incubateur de start-up.
            """),
        },
    },
    # 3.2
    "partners": {
        "operator_partner": {
            "actor": Ref("operator"),
            "digital_ease": "medium",
            "interests": ["efficiency", "profit"],
            "role": _prose("""
                Équipe ses camions des traceurs loués, partage chaque semaine les tournées
                réalisées avec le service de l’hygiène.
            """),
            "resources": ["technical", "human", "data"],
            "levers": ["complementary_partnerships", "pilot_targeting"],
            "notes": _prose("""
                Veut prouver sa performance avant le renouvellement du contrat en 2027 ; craint
                que les données GPS servent surtout à le sanctionner.
            """),
        },
        "telecom_partner": {
            "actor": Ref("telecom"),
            "digital_ease": "high",
            "interests": ["profit", "social_political_cause"],
            "role": "Porte le paiement de la redevance par Sahel Money, sans frais au début.",
            "resources": ["financial", "technical", "data"],
            "levers": ["visibility_marketing", "pilot_targeting"],
            "notes": _prose("""
                Cherche de nouveaux usages de Sahel Money hors de Dakar ; peut supprimer les frais
                de transaction pendant le pilote et le présenter à sa fondation.
            """),
        },
        "startup_partner": {
            "actor": Ref("startup"),
            "digital_ease": "high",
            "interests": ["profit", "knowledge"],
            "role": "Fournit le tableau de bord des tournées et forme deux agents de la commune.",
            "resources": ["technical", "human"],
            "levers": ["visibility_marketing", "pilot_targeting"],
            "notes": "Une première référence publique l’aiderait à lever des fonds.",
        },
        "precollectors_partner": {
            "actor": Ref("precollectors"),
            "digital_ease": "low",
            "interests": ["efficiency", "social_political_cause"],
            "role": _prose("""
                Ses GIE encaissent la redevance par mobile money et tiennent le registre des
                ménages abonnés, qui sert aux mesures de l’indicateur.
            """),
            "resources": ["human", "data"],
            "levers": ["complementary_partnerships", "other"],
            "notes": _prose("""
                Tous les charretiers ont un téléphone, peu un smartphone. Leur intérêt : être
                payés plus régulièrement et reconnus par la commune (agrément, badge).
            """),
        },
        "recyclers_partner": {
            "actor": Ref("recyclers"),
            "digital_ease": "low",
            "interests": ["social_political_cause"],
            "resources": ["human"],
            "levers": ["complementary_partnerships"],
            "notes": "À associer par les réunions sur la décharge, pas par des outils en ligne.",
        },
        "university_partner": {
            "actor": Ref("university"),
            "digital_ease": "high",
            "interests": ["knowledge"],
            "role": "Cartographie les points de regroupement et les dépôts sauvages.",
            "resources": ["technical", "human"],
            "levers": ["visibility_marketing", "pilot_targeting"],
            "notes": _prose("""
                Peut fournir des stagiaires pour la saisie et la cartographie, et un terrain de
                mémoire pour ses étudiants.
            """),
        },
    },
    # 4.1
    "pilot_actions": {
        "gps": {
            "title": "Suivi GPS des tournées des camions de collecte",
            "family": "data",
            "description": _prose("""
                Équiper de traceurs GPS les 6 camions du secteur Est et suivre sur un tableau de
                bord partagé entre Kandia Propreté et le service de l’hygiène les passages aux
                points de regroupement et les rotations vers la décharge.
            """),
            "lifecycle": ["production", "collection", "storage", "analysis", "sharing"],
            "data_type": _prose("""
                Positions des camions toutes les 30 secondes, heures de passage aux points de
                regroupement, rotations vers la décharge, arrêts prolongés.
            """),
            "data_objective": "control",
            "data_users": ["internal", "other_public_authorities", "population"],
            "obstacles": _prose("""
                Connexion 4G faible sur la route de Ndiéké (les traceurs doivent garder les
                points en mémoire) ; réticence des chauffeurs à être suivis ; propriété des
                données à régler dans le contrat ; coût de l’abonnement après le pilote.
            """),
        },
        "mobile_money": {
            "title": "Paiement de la redevance de pré-collecte par mobile money",
            "family": "communication",
            "description": _prose("""
                Les ménages abonnés paient leur charretier par Sahel Money, sans frais, par
                semaine ou par mois ; le paiement arrive sur le compte du GIE et chaque ménage
                reçoit un reçu par SMS. Le paiement en espèces reste possible.
            """),
            "beneficiaries": ["connected_users", "vulnerable_populations", "informal_businesses"],
            "favour": ["connect_disconnected", "new_exchanges"],
            "communication_objective": ["tax", "census"],
            "format": ["information_campaigns", "commercial_services"],
        },
        "complaints": {
            "title": "Ligne de réclamation « Allô Propreté » par WhatsApp et SMS",
            "family": "communication",
            "description": _prose("""
                Un numéro unique pour signaler un dépôt sauvage, un passage manqué ou un point de
                regroupement débordé, par WhatsApp (photo, position, message vocal), SMS ou appel.
                Chaque signalement reçoit un numéro et une réponse dans les 72 heures.
            """),
            "beneficiaries": ["connected_users", "vulnerable_populations", "ngos"],
            "favour": ["connect_disconnected", "new_exchanges"],
            "communication_objective": ["consult", "raise_awareness"],
            "format": ["call_centres", "social_networks"],
        },
    },
    # 4.2
    "perimeters": {
        "gps_perimeter": {
            "action": Ref("gps"),
            "territory": _prose("""
                Secteur de collecte Est : Escale, Médina, Darou Salam et Santhiaba (environ 95 000
                habitants, 17 points de regroupement) et la route de la décharge de Ndiéké.
            """),
            "users": _prose("""
                Les 6 chauffeurs et 2 chefs d’équipe de Kandia Propreté, le service de l’hygiène ;
                les comités de salubrité consultent les heures de passage.
            """),
            "scale": "integrated_area",
            "tool": ["sensors", "other"],
            "tool_other": "Tableau de bord web de suivi des tournées",
        },
        "mobile_money_perimeter": {
            "action": Ref("mobile_money"),
            "territory": "Darou Salam et Diamaguène",
            "users": _prose("""
                Les 3 GIE de ces quartiers, 38 charretiers et environ 4 800 ménages abonnés.
            """),
            "scale": "specific_problem",
            "tool": ["paperless_procedure", "service_app"],
            "tool_other": "",
        },
        "complaints_perimeter": {
            "action": Ref("complaints"),
            "territory": _prose("""
                Toute la commune, avec une promotion renforcée dans les quatre quartiers du
                secteur Est.
            """),
            "users": _prose("""
                Tous les habitants ; les comités de salubrité et les délégués de quartier comme
                relais pour ceux qui n’ont pas de téléphone.
            """),
            "scale": "pilot_project",
            "tool": ["paperless_procedure", "other"],
            "tool_other": "Numéro WhatsApp Business et SMS relié à un registre partagé",
        },
    },
    # 5.3
    "roadmap": {
        "gps_roadmap": {
            "action": Ref("gps"),
            "start": "2027-03-01",
            "end": "2027-12-31",
            "lead_partner": Ref("startup"),
            "budget": _xof(18_500_000),
            "funding_source": Ref("facility"),
            "status": "planned",
            "notes": _prose("""
                Traceurs loués avec l’abonnement au tableau de bord ; clause de propriété des
                données dans l’avenant au contrat de Kandia Propreté.
            """),
        },
        "mobile_money_roadmap": {
            "action": Ref("mobile_money"),
            "start": "2027-01-15",
            "end": "2027-09-30",
            "lead_partner": Ref("telecom"),
            "budget": _xof(6_200_000),
            "funding_source": Ref("foundation_call"),
            "status": "planned",
            "notes": "Convention tripartite commune–UGPK–Sahel Télécom à signer en décembre 2026.",
        },
        "complaints_roadmap": {
            "action": Ref("complaints"),
            "start": "2026-10-01",
            "end": "2027-06-30",
            "lead_partner": Ref("commune"),
            "budget": _xof(3_400_000),
            "funding_source": Ref("national_programme"),
            "status": "in_progress",
            "notes": _prose("""
                Test interne depuis octobre 2026 avec les comités de salubrité ; lancement public
                le 20 janvier 2027.
            """),
        },
    },
    # 6.1
    "indicators": {
        "recovery_rate": {
            "name": "Taux de recouvrement de la redevance de pré-collecte",
            "family": "economic_efficiency",
            "definition": _prose("""
                Montant des redevances encaissées par les GIE du périmètre, divisé par le montant
                dû par les ménages abonnés sur la période, en pourcentage.
            """),
            "unit": "%",
            "library_code": "AFD-IDDRI-2",
            "sdg_target": "17.1",
            "baseline_value": "34",
            "baseline_date": "2026-06-30",
            "baseline_source": "Cahiers de redevance des 3 GIE, premier semestre 2026",
            "target_value": "65",
            "target_date": "2027-12-31",
            "frequency": "quarterly",
            "actions": [Ref("mobile_money")],
        },
        "households_served": {
            "name": "Ménages desservis par la pré-collecte",
            "family": "social_utility",
            "definition": _prose("""
                Ménages des quartiers du pilote abonnés à un GIE de pré-collecte et desservis au
                moins deux fois par semaine, rapportés au nombre de ménages de ces quartiers, en
                pourcentage.
            """),
            "unit": "%",
            "library_code": "JALON-2",
            "sdg_target": "11.6.1",
            "baseline_value": "46",
            "baseline_date": "2026-06-30",
            "baseline_source": "Registres des 3 GIE et recensement des ménages de 2023",
            "target_value": "70",
            "target_date": "2027-12-31",
            "frequency": "quarterly",
            "actions": [Ref("mobile_money")],
        },
        "rounds_on_schedule": {
            "name": "Part des tournées réalisées selon le planning",
            "family": "technical_management",
            "definition": _prose("""
                Nombre de passages aux points de regroupement du secteur Est effectués le jour
                prévu, divisé par le nombre de passages prévus, en pourcentage.
            """),
            "unit": "%",
            "baseline_value": "58",
            "baseline_date": "2026-09-30",
            "baseline_source": "Carnets de bord des camions, juillet à septembre 2026",
            "target_value": "85",
            "target_date": "2027-12-31",
            "frequency": "monthly",
            "actions": [Ref("gps")],
        },
        "complaint_delay": {
            "name": "Délai moyen de traitement d’une réclamation",
            "family": "social_utility",
            "definition": _prose("""
                Nombre moyen de jours entre l’enregistrement d’une réclamation et sa clôture
                (intervention faite ou réponse motivée).
            """),
            "unit": "jours",
            "baseline_value": "9.5",
            "baseline_date": "2026-09-30",
            "baseline_source": "Cahier des plaintes du cabinet du maire, 112 plaintes en 2026",
            "target_value": "3",
            "target_date": "2027-06-30",
            "frequency": "monthly",
            "actions": [Ref("complaints")],
        },
        "illegal_dumps": {
            "name": "Nombre de dépôts sauvages actifs",
            "family": "environmental_sustainability",
            "definition": _prose("""
                Dépôts d’ordures de plus d’un mètre cube hors des points de regroupement,
                recensés sur le terrain et par les signalements, dans toute la commune.
            """),
            "unit": "dépôts",
            "baseline_value": "143",
            "baseline_date": "2026-05-15",
            "baseline_source": "Recensement des comités de salubrité et de l’ISEP, mai 2026",
            "target_value": "70",
            "target_date": "2028-06-30",
            "frequency": "half_yearly",
            "actions": [Ref("gps"), Ref("complaints")],
        },
        "precollector_income": {
            "name": "Revenu mensuel moyen des charretiers des GIE partenaires",
            "family": "social_utility",
            "definition": _prose("""
                Revenu net déclaré par les charretiers des GIE du pilote mobile money, moyenne
                sur le semestre.
            """),
            "unit": "FCFA par mois",
            "baseline_value": "68000",
            "baseline_date": "2026-06-30",
            "baseline_source": "Enquête de l’UGPK auprès de 52 charretiers, juin 2026",
            "target_value": "90000",
            "target_date": "2027-12-31",
            "frequency": "half_yearly",
            "actions": [Ref("mobile_money")],
        },
    },
    # 6.2
    "communication_actions": {
        "radio": {
            "what": "Émission sur Kandia FM pour lancer la ligne Allô Propreté, en wolof et pulaar",
            "audience": "Ménages des quatre quartiers du secteur Est",
            "channel": "Radio communautaire Kandia FM, puis crieurs publics au marché central",
            "when": "2027-01-20",
            "action": Ref("complaints"),
        },
        "demonstrations": {
            "what": "Démonstrations du paiement Sahel Money par les charretiers, porte à porte",
            "audience": "Ménages abonnés de Darou Salam et Diamaguène",
            "channel": "Visites des charretiers avec un agent Sahel Money, réunions de quartier",
            "when": "2027-02-01",
            "action": Ref("mobile_money"),
            "indicators": [Ref("recovery_rate")],
        },
        "rounds_map": {
            "what": "Publication mensuelle de la carte des tournées et du taux de passage",
            "audience": "Habitants connectés, comités de salubrité, presse locale",
            "channel": "Page Facebook et site de la commune, données ouvertes",
            "when": "2027-04-30",
            "action": Ref("gps"),
            "indicators": [Ref("rounds_on_schedule"), Ref("illegal_dumps")],
        },
    },
    # 6.3: the first readings, since the complaints line opened in October 2026
    "measurements": {
        "households_served_sep": {
            "indicator": Ref("households_served"),
            "date": "2026-09-30",
            "value": "48",
            "source": "Registres des 3 GIE du pilote",
            "quality": "reported",
        },
        "households_served_nov": {
            "indicator": Ref("households_served"),
            "date": "2026-11-30",
            "value": "52",
            "source": "Registres des GIE, contrôlés par sondage auprès de 60 ménages",
            "quality": "verified",
        },
        "recovery_rate_sep": {
            "indicator": Ref("recovery_rate"),
            "date": "2026-09-30",
            "value": "36",
            "source": "Cahiers de redevance des 3 GIE, troisième trimestre 2026",
            "quality": "reported",
        },
        "recovery_rate_nov": {
            "indicator": Ref("recovery_rate"),
            "date": "2026-11-30",
            "value": "39",
            "source": "Estimation de l’UGPK sur deux mois",
            "quality": "estimated",
        },
        "complaint_delay_oct": {
            "indicator": Ref("complaint_delay"),
            "date": "2026-10-31",
            "value": "8.2",
            "source": "Registre de la ligne Allô Propreté",
            "quality": "verified",
        },
        "complaint_delay_nov": {
            "indicator": Ref("complaint_delay"),
            "date": "2026-11-30",
            "value": "6.5",
            "source": "Registre de la ligne Allô Propreté",
            "quality": "verified",
            "notes": "Les comités de salubrité signalent désormais par téléphone.",
        },
    },
}


def demo_organisation() -> Organisation | None:
    """The demo municipality, if the demo account is a member of it."""
    return (
        Organisation.objects.filter(
            name__iexact=ORGANISATION["name"], memberships__user__email=DEMO_USER["email"]
        )
        .order_by("pk")
        .first()
    )


def demo_plan() -> Plan | None:
    """The demo plan, if the demo was loaded."""
    organisation = demo_organisation()
    if organisation is None:
        return None
    return organisation.plans.order_by("pk").first()


@transaction.atomic
def load_demo() -> Plan:
    """The demo plan, written in full the first time; once it exists, nothing is written."""
    plan = demo_plan()
    if plan is not None:
        return plan
    demo, colleague = _account(DEMO_USER), _account(COLLEAGUE)
    organisation = _municipality(demo, colleague)
    plan = plan_create(organisation=organisation, user=demo, **PLAN)
    _fill(plan, demo=demo, colleague=colleague)
    demo_snapshot(plan, demo=demo, colleague=colleague)
    _set_aside(plan, demo=demo, colleague=colleague)
    demo_loaded.send(sender=Plan, plan=plan, demo=demo, colleague=colleague)
    return plan


# Advice the team read and set aside, with why: the rule, the demo record it is about, the reason.
SET_ASIDE = (
    (
        "informal-operator-not-an-actor",
        "bana_bana",
        "Les bana-bana achètent les matières triées : l’UGPK les réunira, ils ne sont pas "
        "partenaires du plan.",
    ),
    (
        "actor-without-partner-profile",
        "commune",
        "Le service de l’hygiène est la commune elle-même : il porte le plan, il n’en est pas "
        "partenaire.",
    ),
)


def _set_aside(plan: Plan, *, demo: User, colleague: User) -> None:
    uids = dict(
        Record.objects.filter(plan=plan, item_id__in=["informal_operators", "actors"]).values_list(
            "data__name", "uid"
        )
    )
    names = {
        "bana_bana": RECORDS["informal_operators"]["bana_bana"]["name"],
        "commune": RECORDS["actors"]["commune"]["name"],
    }
    for (rule, key, reason), user in zip(SET_ASIDE, (colleague, demo), strict=True):
        advice_set_aside(
            plan=plan, user=user, rule=rule, record_uid=uids[names[key]], reason=reason
        )


def _account(person: dict[str, str]) -> User:
    existing = User.objects.filter(email=person["email"]).first()
    return existing or User.objects.create_user(person["email"], PASSWORD, name=person["name"])


def _municipality(demo: User, colleague: User) -> Organisation:
    organisation = demo_organisation() or organisation_create(user=demo, **ORGANISATION)
    if not organisation.memberships.filter(user=colleague).exists():
        membership_add(organisation=organisation, email=colleague.email, role=Role.EDITOR)
    return organisation


def _resolve(value: Any, uids: dict[str, str]) -> Any:
    if isinstance(value, Ref):
        return uids[value.key]
    if isinstance(value, list):
        return [_resolve(one, uids) for one in value]
    return value


def _fill(plan: Plan, *, demo: User, colleague: User) -> None:
    """Every item in worksheet order, so that lists are written before the records citing them."""
    uids: dict[str, str] = {}
    for step in definition_of(plan).steps:
        for item in step.items:
            user = colleague if item.id in BY_COLLEAGUE else demo
            if item.kind is not ItemKind.RECORDS:
                answer_save(
                    plan=plan, user=user, item_id=item.id, raw=ANSWERS[item.id], base_version=None
                )
                continue
            for key, fields in RECORDS[item.id].items():
                raw = {name: _resolve(value, uids) for name, value in fields.items()}
                uids[key] = record_add(plan=plan, user=user, item_id=item.id, raw=raw).uid
