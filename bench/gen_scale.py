#!/usr/bin/env python3
"""A large, realistic, deterministic data set for Vigie's scale benchmark (issue 7).

  gen_scale.py --out DIR [--platforms 20] [--services 100] [--events 100000] [--years 3]
               [--seed 7] [--now EPOCH] [--schema-version 3] [--config-template vigie.toml]

Writes into DIR:
  catalog.toml   the catalog: PLATFORMS platforms x SERVICES services, names and texts in
                 French and English (`vigie import catalog` reads it; vigie.toml points at it)
  vigie.toml     a copy of --config-template whose [catalog] path is DIR/catalog.toml
  dump.json      the whole database in the format of `vigie export`, for `vigie import dump`
                 into a freshly migrated, empty data dir (one transaction)
  probe.json     what bench/run needs to know about the data: the platform and service it
                 measures, and how many history pages that platform has per region
and prints one line "key=value ..." (counts, sizes, seconds).

The data: EVENTS past events spread over YEARS years before --now (incidents 45 %,
maintenance 30 %, actions 12 %, announcements 13 %), each with 1-4 affected services of its
platform with levels and 1-5 updates, texts in both languages of realistic length; in each of
the regions fr and na or both; about 1 % of maintenances cancelled. Plus 3 events in progress,
5 planned, 6 general messages (2 of them expired), 2 manual levels. The status-change history
is computed by replaying every event start and end exactly as Vigie's Publisher does
(src/domain/derive.cc: Derive, Diff; src/snapshot/publisher.cc), so a Vigie started on the
data finds nothing to correct (bench/run checks it). meta.reconciled_at is --now.

Deterministic: the same --seed and --now give the same catalog, dump and probe, byte for byte
(vigie.toml differs only by the catalog's absolute path). --now defaults to the current time
rounded down to the minute; every time in the data is relative to it.
Python 3 standard library only.
"""
import argparse
import bisect
import json
import os
import random
import re
import sys
import time

REGIONS = ["fr", "na"]  # as configured in vigie.toml [[site.regions]]
LEVELS = ["operational", "maintenance", "minor", "major", "outage"]  # severity order
SEV = {l: i for i, l in enumerate(LEVELS)}
MIN, HOUR, DAY = 60, 3600, 86400

# ---------------------------------------------------------------------------------------
# The catalog: 20 platforms; each has 25 functional areas x 4 facets = 100 services.
# ---------------------------------------------------------------------------------------
PLATFORMS = [
    # slug, name fr, name en, category fr, category en, what fr, what en
    ("crm", "Nova CRM", "Nova CRM", "CRM", "CRM", "la relation client", "customer relationship management"),
    ("erp", "Nova ERP", "Nova ERP", "ERP", "ERP", "la gestion d'entreprise", "business management"),
    ("paie", "Nova Paie", "Nova Payroll", "Paie", "Payroll", "la paie et les déclarations sociales", "payroll and social filings"),
    ("compta", "Nova Compta", "Nova Accounting", "Comptabilité", "Accounting", "la comptabilité générale et analytique", "general and cost accounting"),
    ("commerce", "Nova Commerce", "Nova Commerce", "E-commerce", "E-commerce", "la vente en ligne B2B et B2C", "B2B and B2C online sales"),
    ("bi", "Nova Analytics", "Nova Analytics", "Décisionnel", "Business intelligence", "les tableaux de bord et l'analyse", "dashboards and analytics"),
    ("ged", "Nova Docs", "Nova Docs", "GED", "Document management", "la gestion électronique des documents", "document management"),
    ("terrain", "Nova Field", "Nova Field", "Interventions", "Field service", "les interventions sur le terrain", "field service operations"),
    ("rh", "Nova RH", "Nova HR", "Ressources humaines", "Human resources", "la gestion des talents et des congés", "talent and leave management"),
    ("retail", "Nova Retail", "Nova Retail", "Commerce de détail", "Retail", "les points de vente et les caisses", "stores and point of sale"),
    ("logistique", "Nova Logistics", "Nova Logistics", "Logistique", "Logistics", "les entrepôts et les expéditions", "warehouses and shipping"),
    ("industrie", "Nova Industry", "Nova Industry", "Production", "Manufacturing", "la planification et le suivi de production", "production planning and tracking"),
    ("projets", "Nova Projets", "Nova Projects", "Gestion de projets", "Project management", "les projets et les temps passés", "projects and timesheets"),
    ("support", "Nova Support", "Nova Helpdesk", "Support client", "Helpdesk", "les tickets et la base de connaissances", "tickets and the knowledge base"),
    ("marketing", "Nova Marketing", "Nova Marketing", "Marketing", "Marketing", "les campagnes et l'automatisation marketing", "campaigns and marketing automation"),
    ("notes-frais", "Nova Frais", "Nova Expenses", "Notes de frais", "Expenses", "les notes de frais et les déplacements", "expenses and travel"),
    ("achats", "Nova Achats", "Nova Procurement", "Achats", "Procurement", "les achats et les fournisseurs", "purchasing and suppliers"),
    ("tresorerie", "Nova Trésorerie", "Nova Treasury", "Trésorerie", "Treasury", "la trésorerie et les rapprochements bancaires", "cash and bank reconciliation"),
    ("qualite", "Nova Qualité", "Nova Quality", "Qualité", "Quality", "la qualité et la conformité", "quality and compliance"),
    ("portail", "Nova Portail", "Nova Portal", "Portail", "Portal", "l'espace client et les échanges avec les partenaires", "the customer area and partner exchanges"),
]

AREAS = [
    # slug, "X" in "API de X" (fr), "X" in "X API" (en)
    ("billing", "de facturation", "Billing"),
    ("accounting", "de comptabilité", "Accounting"),
    ("payroll", "de paie", "Payroll"),
    ("inventory", "des stocks", "Inventory"),
    ("purchasing", "des achats", "Purchasing"),
    ("sales", "des ventes", "Sales"),
    ("contacts", "des contacts", "Contacts"),
    ("calendar", "de l'agenda", "Calendar"),
    ("email", "de messagerie", "Email"),
    ("reporting", "de reporting", "Reporting"),
    ("auth", "d'authentification", "Authentication"),
    ("files", "de gestion de fichiers", "File management"),
    ("search", "de recherche", "Search"),
    ("notifications", "de notifications", "Notifications"),
    ("dashboards", "des tableaux de bord", "Dashboards"),
    ("workflows", "des workflows", "Workflow"),
    ("esign", "de signature électronique", "E-signature"),
    ("payments", "de paiement", "Payments"),
    ("shipping", "des expéditions", "Shipping"),
    ("production", "de production", "Production"),
    ("field", "des interventions", "Field service"),
    ("portal", "du portail client", "Customer portal"),
    ("exchange", "d'import-export", "Data import/export"),
    ("integrations", "des intégrations", "Integrations"),
    ("mobile", "de synchronisation mobile", "Mobile sync"),
]

FACETS = [
    # slug suffix, name fr (%s = "de X"), name en (%s = "X"), information fr/en, impact fr/en
    ("web", "Interface web %s", "%s web app",
     "L'application web utilisée au quotidien par vos équipes pour %s.",
     "The web application your teams use every day for %s.",
     "Les utilisateurs ne peuvent plus travailler depuis le navigateur, ou subissent des lenteurs.",
     "Users can't work from their browser, or find it slow."),
    ("api", "API %s", "%s API",
     "L'interface de programmation qu'utilisent vos intégrations et vos connecteurs pour %s.",
     "The programming interface your integrations and connectors use for %s.",
     "Les intégrations et connecteurs peuvent échouer ou prendre du retard.",
     "Integrations and connectors may fail or fall behind."),
    ("jobs", "Traitements planifiés %s", "%s scheduled jobs",
     "Les traitements de nuit, les exports et les calculs planifiés pour %s.",
     "Nightly processing, exports and scheduled computations for %s.",
     "Les traitements peuvent s'exécuter en retard ou échouer ; les données peuvent ne pas être à jour.",
     "Jobs may run late or fail; data may not be up to date."),
    ("db", "Base de données %s", "%s database",
     "Le stockage des données de production pour %s.",
     "Production data storage for %s.",
     "Perturbations importantes : lecture et enregistrement des données impossibles ou lents.",
     "Major disruption: data can't be read or saved, or only slowly."),
]

# Lower-case "what" of an area for the information texts.
AREA_WHAT = {
    "billing": ("la facturation", "billing"), "accounting": ("la comptabilité", "accounting"),
    "payroll": ("la paie", "payroll"), "inventory": ("la gestion des stocks", "inventory"),
    "purchasing": ("les achats", "purchasing"), "sales": ("les ventes", "sales"),
    "contacts": ("les contacts", "contacts"), "calendar": ("l'agenda", "calendars"),
    "email": ("la messagerie", "email"), "reporting": ("le reporting", "reporting"),
    "auth": ("l'authentification", "authentication"), "files": ("les fichiers", "files"),
    "search": ("la recherche", "search"), "notifications": ("les notifications", "notifications"),
    "dashboards": ("les tableaux de bord", "dashboards"), "workflows": ("les workflows", "workflows"),
    "esign": ("la signature électronique", "e-signature"), "payments": ("les paiements", "payments"),
    "shipping": ("les expéditions", "shipping"), "production": ("la production", "production"),
    "field": ("les interventions", "field service"), "portal": ("le portail client", "the customer portal"),
    "exchange": ("les imports et exports de données", "data imports and exports"),
    "integrations": ("les intégrations", "integrations"), "mobile": ("la synchronisation mobile", "mobile sync"),
}

# ---------------------------------------------------------------------------------------
# Texts. Pairs (fr, en); {s} is the service's name, {p} the platform's.
# ---------------------------------------------------------------------------------------
INC_TITLES = [
    ("Lenteurs sur {s}", "Slowness on {s}"),
    ("{s} : service indisponible", "{s} unavailable"),
    ("Erreurs intermittentes sur {s}", "Intermittent errors on {s}"),
    ("Connexions impossibles : {s}", "Unable to connect: {s}"),
    ("Retards de traitement sur {s}", "Processing delays on {s}"),
    ("Dégradation des performances : {s}", "Degraded performance: {s}"),
    ("Échecs d'enregistrement sur {s}", "Save failures on {s}"),
    ("Accès perturbé à {p}", "{p} access disrupted"),
    ("Données non mises à jour : {s}", "Data not updating: {s}"),
    ("Délais d'attente dépassés sur {s}", "Timeouts on {s}"),
]
SYMPTOMS = [
    ("des temps de réponse très dégradés", "very slow response times"),
    ("des erreurs lors de l'enregistrement", "errors when saving"),
    ("des échecs de connexion pour une partie des utilisateurs", "sign-in failures for some users"),
    ("des pages qui ne s'affichent plus", "pages that no longer load"),
    ("des traitements bloqués en file d'attente", "jobs stuck in the queue"),
    ("des délais d'attente dépassés sur les appels d'API", "timeouts on API calls"),
    ("des données qui ne se mettent plus à jour", "data that has stopped updating"),
    ("des déconnexions fréquentes", "frequent disconnections"),
]
CAUSES = [
    ("l'un des serveurs d'application répond de façon intermittente", "one of the application servers is responding intermittently"),
    ("un disque du cluster de bases de données est saturé", "a disk in the database cluster is full"),
    ("un certificat du serveur de transfert a expiré", "a certificate on the transfer server has expired"),
    ("un équipement réseau de notre opérateur est défaillant", "a network device at our carrier is failing"),
    ("le déploiement de ce matin contient une régression", "this morning's deployment introduced a regression"),
    ("une file de traitement est saturée à la suite d'un pic d'activité", "a processing queue is backed up after a spike in activity"),
    ("un index de la base de données est corrompu", "a database index is corrupted"),
    ("notre prestataire d'hébergement subit une panne électrique", "our hosting provider has a power failure"),
    ("une mise à jour du système d'exploitation a modifié la configuration du pare-feu", "an operating system update changed the firewall configuration"),
]
FIXES = [
    ("Nous le retirons de la répartition de charge.", "We're taking it out of the load balancer."),
    ("Nous ajoutons de la capacité et purgeons les fichiers temporaires.", "We're adding capacity and clearing temporary files."),
    ("Son renouvellement est en cours.", "We're renewing it now."),
    ("Le trafic est en cours de bascule vers un lien de secours.", "We're rerouting traffic over a backup link."),
    ("Nous revenons à la version précédente.", "We're rolling back to the previous version."),
    ("Nous ajoutons de la capacité de traitement.", "We're adding processing capacity."),
    ("L'index est en cours de reconstruction.", "We're rebuilding the index."),
    ("Les services basculent vers notre second centre de données.", "Services are failing over to our second data center."),
    ("La configuration est en cours de correction sur tous les serveurs.", "We're fixing the configuration on every server."),
]
INVESTIGATING = [
    ("Nous constatons {sym} sur {s}. Nos équipes analysent la situation.",
     "We're seeing {sym} on {s}. Our team is investigating."),
    ("Des utilisateurs signalent {sym} sur {s}. Nous recherchons la cause et publierons un point dès que possible.",
     "Users are reporting {sym} on {s}. We're looking for the cause and will post an update as soon as possible."),
    ("Nos sondes de supervision détectent {sym} sur {s} depuis quelques minutes. Une équipe est mobilisée.",
     "Our monitoring has detected {sym} on {s} for a few minutes. A team is on it."),
]
IDENTIFIED = [
    ("La cause est identifiée : {cause}. {fix}", "We've identified the cause: {cause}. {fix}"),
    ("Nous avons trouvé l'origine du problème : {cause}. {fix} Le retour à la normale est attendu dans l'heure.",
     "We've found the source of the problem: {cause}. {fix} We expect things to be back to normal within the hour."),
]
MONITORING = [
    ("Le correctif est en place et {s} fonctionne de nouveau. Nous restons en surveillance avant de clôturer l'incident.",
     "The fix is in place and {s} is working again. We're monitoring before closing this incident."),
    ("Les temps de réponse reviennent progressivement à la normale. Si le problème persiste, déconnectez-vous puis reconnectez-vous.",
     "Response times are gradually returning to normal. If you still have trouble, sign out and sign back in."),
    ("Le service est rétabli. Les traitements en attente sont en cours de rattrapage et peuvent prendre encore quelques minutes.",
     "Service has been restored. Queued jobs are catching up and may take a few more minutes."),
]
RESOLVED = [
    ("L'incident est résolu et {s} fonctionne normalement. Aucune donnée n'a été perdue.",
     "This incident is resolved and {s} is working normally. No data was lost."),
    ("Tout est rentré dans l'ordre. Les traitements qui ont échoué pendant l'incident peuvent être relancés.",
     "Everything is back to normal. Jobs that failed during the incident can be run again."),
    ("Le service fonctionne normalement depuis plus d'une heure : l'incident est clos. Nous publierons une analyse des causes sous 5 jours ouvrés.",
     "The service has been working normally for over an hour, so we're closing this incident. We'll publish a root-cause analysis within 5 business days."),
]
INC_BODIES = [
    ("Une partie des utilisateurs de {p} rencontre {sym} sur {s}. Les autres services de la plateforme ne sont pas concernés. Nous vous tiendrons informés ici de l'avancement.",
     "Some {p} users are experiencing {sym} on {s}. The platform's other services are not affected. We'll keep you posted here."),
    ("Depuis le début de l'incident, {s} présente {sym}. En attendant le rétablissement, vous pouvez continuer à travailler depuis l'application installée sur le poste ; les saisies seront synchronisées automatiquement.",
     "Since this incident began, {s} has shown {sym}. Until service is restored, you can keep working from the desktop application; your entries will sync automatically."),
]
MAINT_TITLES = [
    ("Maintenance de {s}", "{s} maintenance"),
    ("Mise à jour de sécurité : {s}", "Security update: {s}"),
    ("Migration de {s} vers une nouvelle infrastructure", "{s} migration to new infrastructure"),
    ("Montée de version de {s}", "{s} upgrade"),
    ("Maintenance des serveurs de {p}", "{p} server maintenance"),
    ("Optimisation des bases de données de {p}", "{p} database optimization"),
]
MAINT_BODIES = [
    ("Nous appliquons les mises à jour de sécurité des serveurs de {p} et optimisons leurs index afin d'améliorer les temps de réponse.\n\n**Impact attendu**\n\n- {s} sera inaccessible par intermittence pendant la fenêtre de maintenance ; chaque coupure ne devrait durer que quelques minutes.\n- Aucune donnée ne sera perdue. Nous vous recommandons toutefois de ne pas lancer d'import ni de traitement de masse pendant la maintenance.",
     "We're applying security updates to the {p} servers and optimizing their indexes to improve response times.\n\n**Expected impact**\n\n- {s} will be intermittently unavailable during the maintenance window; each interruption should last only a few minutes.\n- No data will be lost. However, we recommend that you don't run imports or bulk jobs during the maintenance."),
    ("Nous migrons {s} vers des serveurs plus récents. Le service sera indisponible pendant toute la fenêtre de maintenance. Les traitements planifiés pendant cette période seront exécutés à la reprise.",
     "We're moving {s} to newer servers. The service will be unavailable for the whole maintenance window. Jobs scheduled during that time will run once service resumes."),
    ("Cette maintenance installe la nouvelle version de {s}, qui corrige plusieurs anomalies et améliore les performances. Pensez à enregistrer votre travail avant le début de la fenêtre : les sessions ouvertes seront fermées.",
     "This maintenance installs the new version of {s}, which fixes several issues and improves performance. Save your work before the window starts: open sessions will be closed."),
]
MAINT_UPDATES_BEFORE = [
    ("Rappel : la maintenance de {s} commence à l'heure annoncée. Pensez à enregistrer votre travail.",
     "Reminder: the {s} maintenance starts at the announced time. Remember to save your work."),
    ("La fenêtre de maintenance est confirmée. Aucune action n'est nécessaire de votre part.",
     "The maintenance window is confirmed. No action is needed on your part."),
]
MAINT_UPDATES_DURING = [
    ("La maintenance a commencé. {s} peut être indisponible par moments.",
     "The maintenance has started. {s} may be unavailable at times."),
    ("La maintenance se poursuit comme prévu ; la fin reste prévue à l'heure annoncée.",
     "The maintenance is proceeding as planned; it's still expected to end on time."),
    ("La mise à jour des serveurs est terminée ; nous vérifions le bon fonctionnement de chaque service.",
     "The server update is done; we're checking that each service works properly."),
]
MAINT_UPDATES_END = [
    ("La maintenance est terminée et tous les services sont de nouveau disponibles.",
     "The maintenance is complete and all services are available again."),
    ("La maintenance s'est terminée plus tôt que prévu. {s} fonctionne normalement.",
     "The maintenance finished earlier than planned. {s} is working normally."),
]
ACTION_TITLES = [
    ("Mettez à jour l'application mobile {p} en version {v}", "Update the {p} mobile app to version {v}"),
    ("Renouvelez le certificat de connexion à {s}", "Renew the {s} connection certificate"),
    ("Autorisez les nouvelles adresses IP de {p}", "Allow {p}'s new IP addresses"),
    ("Changez vos clés d'API avant la date limite", "Rotate your API keys before the deadline"),
    ("Mettez à jour vos connecteurs vers {s}", "Update your connectors to {s}"),
    ("Activez l'authentification à deux facteurs sur {p}", "Turn on two-factor authentication for {p}"),
]
ACTION_BODIES = [
    ("Pour continuer à utiliser {s}, une action de votre part est nécessaire avant la fin de la période indiquée.\n\n1. Connectez-vous à l'espace d'administration de {p}.\n2. Ouvrez **Paramètres > Sécurité**.\n3. Suivez les instructions affichées, puis vérifiez que vos intégrations fonctionnent.\n\nSans cette action, les connexions à {s} seront refusées après la date limite.",
     "To keep using {s}, you need to act before the end of the stated period.\n\n1. Sign in to the {p} administration area.\n2. Open **Settings > Security**.\n3. Follow the instructions shown, then check that your integrations work.\n\nWithout this, connections to {s} will be refused after the deadline."),
    ("La version actuelle ne sera plus prise en charge à la fin de cette période. Déployez la nouvelle version sur les postes et les appareils de vos utilisateurs ; la mise à jour prend quelques minutes et conserve les données locales.",
     "The current version will no longer be supported at the end of this period. Roll out the new version to your users' computers and devices; the update takes a few minutes and keeps local data."),
]
ACTION_UPDATES = [
    ("Rappel : il reste une semaine pour effectuer cette action.", "Reminder: one week left to do this."),
    ("La documentation pas à pas est disponible dans l'aide en ligne de {p}.", "Step-by-step documentation is available in the {p} online help."),
    ("Plus de 80 % des clients ont effectué l'opération. Merci !", "More than 80% of customers have done this. Thank you!"),
    ("Dernier rappel : la date limite est demain.", "Final reminder: the deadline is tomorrow."),
    ("La période est terminée. Contactez le support si vous n'avez pas pu effectuer l'action.", "The period is over. Contact support if you couldn't do this in time."),
]
ANN_TITLES = [
    ("Nouvelle fonctionnalité : {s}", "New feature: {s}"),
    ("Évolution de {s}", "Changes to {s}"),
    ("Nouveau centre de données pour {p}", "New data center for {p}"),
    ("Suivez l'état de {p} par flux RSS", "Follow {p} status with RSS feeds"),
    ("Fin de prise en charge d'une ancienne version de {s}", "End of support for an old version of {s}"),
]
ANN_BODIES = [
    ("Nous sommes heureux de vous annoncer une évolution de {s}. Elle est activée progressivement pour tous les clients de {p} au cours des prochains jours, sans interruption de service. La documentation est à jour dans l'aide en ligne.",
     "We're happy to announce a change to {s}. It's being turned on gradually for every {p} customer over the coming days, with no interruption of service. The online help is up to date."),
    ("Pour améliorer la disponibilité de {p}, nous ouvrons un nouveau centre de données. Vos données restent hébergées dans votre région. Aucune action n'est nécessaire de votre part.",
     "To improve {p}'s availability, we're opening a new data center. Your data stays hosted in your region. No action is needed on your part."),
]
ANN_UPDATES = [
    ("Le déploiement est terminé pour tous les clients.", "The rollout is complete for every customer."),
    ("La documentation a été complétée avec des exemples.", "We've added examples to the documentation."),
    ("Merci pour vos retours : un ajustement a été apporté à la suite de vos remarques.", "Thanks for your feedback: we've made an adjustment based on it."),
]


def fill(pair, **kw):
    return pair[0].format(**{k: v[0] for k, v in kw.items()}), pair[1].format(**{k: v[1] for k, v in kw.items()})


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def build_catalog(n_platforms, n_services, created_at):
    if n_platforms > len(PLATFORMS):
        raise SystemExit("at most %d platforms" % len(PLATFORMS))
    if n_services > len(AREAS) * len(FACETS):
        raise SystemExit("at most %d services per platform" % (len(AREAS) * len(FACETS)))
    platforms, services = [], []
    sid = 0
    for pi, (slug, nfr, nen, cfr, cen, wfr, wen) in enumerate(PLATFORMS[:n_platforms]):
        platforms.append({
            "slug": slug, "position": pi + 1, "name": (nfr, nen), "category": (cfr, cen),
            "description": ("La plateforme SaaS de Nova pour %s." % wfr,
                            "Nova's SaaS platform for %s." % wen),
            "products": [nfr],
        })
        pos = 0
        for ai, (aslug, afr, aen) in enumerate(AREAS):
            for fslug, nfr_, nen_, ifr, ien, mfr, men in FACETS:
                if pos >= n_services:
                    break
                pos += 1
                sid += 1
                wfr_, wen_ = AREA_WHAT[aslug]
                services.append({
                    "id": sid, "platform": slug, "slug": "%s-%s" % (aslug, fslug), "position": pos,
                    "name": (nfr_ % afr, nen_ % aen), "information": (ifr % wfr_, ien % wen_),
                    "impact": (mfr, men), "retired": 0, "created_at": created_at,
                })
    return platforms, services


def write_catalog(path, platforms, services):
    out = ["# Generated by bench/gen_scale.py: %d platforms x %d services. Do not edit."
           % (len(platforms), len(services) // max(1, len(platforms))), ""]
    by_p = {}
    for s in services:
        by_p.setdefault(s["platform"], []).append(s)
    for p in platforms:
        out.append("[[platforms]]")
        out.append("slug = %s" % toml_str(p["slug"]))
        for k in ("name", "category", "description"):
            out.append("%s = { fr = %s, en = %s }" % (k, toml_str(p[k][0]), toml_str(p[k][1])))
        out.append("products = [%s]" % ", ".join(toml_str(x) for x in p["products"]))
        out.append("")
        for s in by_p.get(p["slug"], []):
            out.append("[[platforms.services]]")
            out.append("slug = %s" % toml_str(s["slug"]))
            for k in ("name", "information", "impact"):
                out.append("%s = { fr = %s, en = %s }" % (k, toml_str(s[k][0]), toml_str(s[k][1])))
            out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def write_config(template, path, catalog_path):
    text = open(template, encoding="utf-8").read()
    # Only the [catalog] table's path changes.
    m = re.search(r"(?ms)^\[catalog\][^\[]*?^path\s*=\s*\"[^\"]*\"", text)
    if not m:
        raise SystemExit("%s: no [catalog] path = \"...\" to replace" % template)
    block = re.sub(r'(?m)^path\s*=\s*"[^"]*"', "path = " + toml_str(catalog_path), m.group(0))
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Generated by bench/gen_scale.py from %s: the catalog is the generated one.\n"
                % os.path.basename(template) + text[:m.start()] + block + text[m.end():])


# ---------------------------------------------------------------------------------------
# Events.
# ---------------------------------------------------------------------------------------
class Gen:
    def __init__(self, rng, platforms, services, now):
        self.r = rng
        self.platforms = platforms
        self.now = now
        self.by_p = {}
        for s in services:
            self.by_p.setdefault(s["platform"], []).append(s)

    def regions(self):
        x = self.r.random()
        return ["fr", "na"] if x < 0.45 else ["fr"] if x < 0.75 else ["na"]

    def pick_services(self, platform, n):
        return self.r.sample(self.by_p[platform], n)

    def names(self, p, svcs):
        return {"s": svcs[0]["name"], "p": p["name"]}

    def text_incident(self, p, svcs, n_updates, start, end, resolved=True):
        r = self.r
        kw = self.names(p, svcs)
        title = fill(r.choice(INC_TITLES), **kw)
        sym = r.choice(SYMPTOMS)
        ci = r.randrange(len(CAUSES))
        body = ("", "")
        if r.random() < 0.4:
            body = fill(r.choice(INC_BODIES), sym=sym, **kw)
        # Phases: some of investigating / identified / monitoring, then resolved.
        middle = ["investigating", "identified", "monitoring"]
        k = n_updates - 1 if resolved else n_updates
        phases = sorted(r.sample(range(3), min(k, 3)))
        seq = [middle[i] for i in phases]
        while len(seq) < k:  # 5 updates: a second point while monitoring
            seq.append("monitoring")
        if resolved:
            seq.append("resolved")
        span = end - start
        times = sorted(start + r.randint(60, max(61, span - 60)) for _ in seq)
        if resolved:
            times[-1] = end
        ups = []
        for ph, at in zip(seq, times):
            if ph == "investigating":
                t = fill(r.choice(INVESTIGATING), sym=sym, **kw)
            elif ph == "identified":
                t = fill(r.choice(IDENTIFIED), cause=CAUSES[ci], fix=FIXES[ci % len(FIXES)], **kw)
            elif ph == "monitoring":
                t = fill(r.choice(MONITORING), **kw)
            else:
                t = fill(r.choice(RESOLVED), **kw)
            ups.append((at, ph, t))
        return title, body, ups

    def text_maintenance(self, p, svcs, n_updates, start, end, created):
        r = self.r
        kw = self.names(p, svcs)
        title = fill(r.choice(MAINT_TITLES), **kw)
        body = fill(r.choice(MAINT_BODIES), **kw) if r.random() < 0.9 else ("", "")
        ups = []
        # The last update ends it; the others are a reminder before, or points during.
        ups.append((end, "", fill(r.choice(MAINT_UPDATES_END), **kw)))
        for i in range(n_updates - 1):
            if i == 0 and r.random() < 0.5 and start - created > 2 * HOUR:
                at = r.randint(created + HOUR, start - HOUR)
                ups.append((at, "", fill(r.choice(MAINT_UPDATES_BEFORE), **kw)))
            else:
                at = r.randint(start, end - 1)
                ups.append((at, "", fill(r.choice(MAINT_UPDATES_DURING), **kw)))
        ups.sort(key=lambda u: u[0])
        return title, body, ups

    def text_action(self, p, svcs, n_updates, start, end):
        r = self.r
        kw = self.names(p, svcs)
        v = ("%d.%d" % (r.randint(5, 12), r.randint(0, 9)),) * 2
        title = fill(r.choice(ACTION_TITLES), v=v, **kw)
        body = fill(r.choice(ACTION_BODIES), **kw)
        ups = []
        for _ in range(n_updates):
            ups.append((r.randint(start, end - 1), "", fill(r.choice(ACTION_UPDATES), **kw)))
        ups.sort(key=lambda u: u[0])
        return title, body, ups

    def text_announcement(self, p, svcs, n_updates, start, end):
        r = self.r
        kw = self.names(p, svcs)
        title = fill(r.choice(ANN_TITLES), **kw)
        body = fill(r.choice(ANN_BODIES), **kw)
        ups = [(r.randint(start, end - 1), "", fill(r.choice(ANN_UPDATES), **kw))
               for _ in range(n_updates)]
        ups.sort(key=lambda u: u[0])
        return title, body, ups

    def event(self, kind, p, start, state="past"):
        """One event; `state` is past, in_progress or planned (relative to self.now)."""
        r = self.r
        n_imp = r.randint(1, 4)
        svcs = self.pick_services(p["slug"], n_imp)
        n_up = r.randint(1, 5)
        e = {"kind": kind, "platform": p["slug"], "regions": self.regions(), "phase": "",
             "cancelled": 0}
        if kind == "incident":
            dur = int(15 * MIN * (32 ** r.random()))  # 15 min to 8 h, most short
            end = start + dur
            resolved = state == "past"
            if not resolved:
                n_up = max(1, min(n_up, 3))
            title, body, ups = self.text_incident(p, svcs, n_up, start, end if resolved else self.now,
                                                  resolved)
            levels = [r.choices(["minor", "major", "outage"], [50, 30, 20])[0] for _ in svcs]
            e["phase"] = ups[-1][1] if ups else "investigating"
            created = start
            e["ends_at"] = end
        elif kind == "maintenance":
            dur = r.choice([30, 60, 60, 90, 120, 120, 180, 240]) * MIN
            end = start + dur
            created = start - r.randint(2, 10) * DAY
            if state == "planned":
                created = max(created, self.now - 7 * DAY)
            title, body, ups = self.text_maintenance(p, svcs, n_up, start, end, created)
            if state != "past":
                ups = [u for u in ups if u[0] <= self.now]
            levels = [r.choices(["maintenance", "minor", "major"], [85, 10, 5])[0] for _ in svcs]
            e["ends_at"] = end
            if state == "past" and r.random() < 0.01:
                e["cancelled"] = 1
        elif kind == "action":
            dur = r.randint(3, 21) * DAY
            end = start + dur
            created = start
            title, body, ups = self.text_action(p, svcs, n_up, start, end)
            ups = [u for u in ups if u[0] <= self.now]
            levels = ["operational"] * len(svcs)  # customers act; nothing is degraded
            e["ends_at"] = end
        else:
            dur = r.randint(1, 14) * DAY
            end = start + dur
            created = start
            title, body, ups = self.text_announcement(p, svcs, n_up, start, end)
            ups = [u for u in ups if u[0] <= self.now]
            levels = ["operational"] * len(svcs)
            e["ends_at"] = end
        if state == "in_progress" and e["ends_at"] is not None and e["ends_at"] <= self.now:
            # Still running now: stretch the window past now (updates after now are dropped).
            e["ends_at"] = self.now + (HOUR if kind in ("incident", "maintenance") else 2 * DAY)
            ups = [u for u in ups if u[0] <= self.now]
            if kind == "maintenance" and not ups:
                ups = [(start, "", fill(MAINT_UPDATES_DURING[0], **self.names(p, svcs)))]
        e.update(title=title, body=body, starts_at=start, created_at=min(created, start),
                 impacts=[(s["id"], l) for s, l in zip(svcs, levels)], updates=ups)
        e["updated_at"] = max([e["created_at"]] + [u[0] for u in ups])
        return e


def check_event(e, service_platform):
    """The rules of src/domain/validate.cc (ValidateEvent, ValidateUpdate), as assertions."""
    assert e["regions"] and len(set(e["regions"])) == len(e["regions"])
    assert e["title"][0].strip() or e["title"][1].strip()
    assert len(e["title"][0]) <= 200 and len(e["title"][1]) <= 200
    ids = [i for i, _ in e["impacts"]]
    assert len(ids) == len(set(ids))
    for i, l in e["impacts"]:
        assert service_platform[i] == e["platform"]
        assert not (e["kind"] == "maintenance" and l == "operational")
    if e["ends_at"] is not None:
        assert e["ends_at"] > e["starts_at"], e
    if e["kind"] == "maintenance":
        assert e["ends_at"] is not None
    if e["kind"] == "incident":
        assert e["phase"]
        assert e["phase"] != "resolved" or e["ends_at"] is not None
    else:
        assert e["phase"] == ""
    for at, ph, _ in e["updates"]:
        assert ph == "" or e["kind"] == "incident"
        assert not (at < e["created_at"] and at < e["starts_at"])


# ---------------------------------------------------------------------------------------
# Status changes: Vigie's replay (Publisher::Write: TransitionsAfter, Derive, Diff).
# ---------------------------------------------------------------------------------------
def replay(events, manual_levels, services, platforms, now):
    """Returns the status_changes rows (without ids), as Vigie would have recorded them had it
    been running through the whole history: at every instant where an event starts or ends
    (and where a manual level was set), the derived level of every service and platform in
    each region is compared with the last recorded one."""
    svc = {s["id"]: s for s in services}
    pos = {}  # service id -> its index in the model's order (platform position, position, id)
    order = sorted(services, key=lambda s: (next(p["position"] for p in platforms
                                                 if p["slug"] == s["platform"]),
                                            s["position"], s["id"]))
    for i, s in enumerate(order):
        pos[s["id"]] = i
    # Points in time: (t, kind, payload). Events: in progress while starts_at <= t < ends_at
    # (an unresolved incident has no end). Event ids follow starts_at, so the model's order
    # (starts_at, id) is id order.
    points = {}
    for e in events:
        if e["cancelled"]:
            continue
        imps = [(i, l) for i, l in e["impacts"] if l != "operational"]
        if not imps:
            continue  # it can never be worse than the base level: no change
        points.setdefault(e["starts_at"], []).append(("start", e))
        if e["ends_at"] is not None and (e["kind"] != "incident" or e["phase"] == "resolved"):
            points.setdefault(e["ends_at"], []).append(("end", e))
    for m in manual_levels:
        points.setdefault(m["set_at"], []).append(("manual", m))

    active = {}     # (region, service id) -> {event id: level}
    manual = {}     # (region, service id) -> level
    derived = {}    # (region, service id) -> (level, cause, event id), only when not the default
    bad_by_p = {}   # (region, platform) -> {service id: (level, cause, event id)} not operational
    rec_s = {}      # (region, service id) -> last recorded level
    rec_p = {}      # (region, platform) -> last recorded level
    default = ("operational", "manual", None)
    rows = []
    for t in sorted(points):
        if t >= now:
            break
        touched = set()
        for what, x in points[t]:
            if what == "manual":
                key = (x["region"], x["service_id"])
                manual[key] = x["level"]
                touched.add(key)
                continue
            for region in x["regions"]:
                for sid, level in x["impacts"]:
                    if level == "operational":
                        continue
                    key = (region, sid)
                    a = active.setdefault(key, {})
                    if what == "start":
                        a[x["id"]] = level
                    else:
                        a.pop(x["id"], None)
                    touched.add(key)
        changed_p = set()
        for key in sorted(touched):  # (region, service id): the order of Diff's map
            base = (manual[key], "manual", None) if key in manual else default
            best = base
            for eid in sorted(active.get(key, {})):
                lvl = active[key][eid]
                if SEV[lvl] > SEV[best[0]]:
                    best = (lvl, "event", eid)
            old = derived.get(key, default)
            if best != old:
                derived[key] = best
                pkey = (key[0], svc[key[1]]["platform"])
                bad = bad_by_p.setdefault(pkey, {})
                if best[0] == "operational":
                    bad.pop(key[1], None)
                else:
                    bad[key[1]] = best
                changed_p.add(pkey)
            before = rec_s.get(key, "operational")
            if before != best[0]:
                rows.append((key[0], svc[key[1]]["platform"], key[1], before, best[0], t,
                             best[1], best[2]))
                rec_s[key] = best[0]
        for pkey in sorted(changed_p):  # (region, platform slug)
            worst = default
            worst_pos = None
            for sid, d in bad_by_p.get(pkey, {}).items():
                if SEV[d[0]] > SEV[worst[0]] or (d[0] == worst[0] and worst_pos is not None
                                                  and pos[sid] < worst_pos):
                    worst, worst_pos = d, pos[sid]
            before = rec_p.get(pkey, "operational")
            if before != worst[0]:
                rows.append((pkey[0], pkey[1], None, before, worst[0], t, worst[1], worst[2]))
                rec_p[pkey] = worst[0]
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--platforms", type=int, default=20)
    ap.add_argument("--services", type=int, default=100)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--now", type=int, default=None, help="UTC seconds (default: now, to the minute)")
    ap.add_argument("--schema-version", type=int, default=3)
    ap.add_argument("--config-template", default=os.path.join(os.path.dirname(__file__), "..", "vigie.toml"))
    a = ap.parse_args(argv)
    t_start = time.monotonic()
    now = a.now if a.now is not None else int(time.time()) // 60 * 60
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    first = now - int(a.years * 365 * DAY)

    platforms, services = build_catalog(a.platforms, a.services, first - DAY)
    catalog_path = os.path.abspath(os.path.join(a.out, "catalog.toml"))
    write_catalog(catalog_path, platforms, services)
    write_config(a.config_template, os.path.join(a.out, "vigie.toml"), catalog_path)
    service_platform = {s["id"]: s["platform"] for s in services}

    g = Gen(rng, platforms, services, now)
    kinds = ["incident", "maintenance", "action", "announcement"]
    weights = [45, 30, 12, 13]
    events = []
    for _ in range(a.events):
        kind = rng.choices(kinds, weights)[0]
        p = rng.choice(platforms)
        # Past: ended before now (the longest windows, actions, last up to 21 days).
        latest = now - (22 * DAY if kind in ("action", "announcement") else 9 * HOUR)
        start = rng.randint(first, latest)
        if kind == "maintenance":  # at night, on the half hour, UTC 20:00-23:30
            start = start - start % DAY + (20 * HOUR) + rng.randrange(8) * 30 * MIN
            if start >= latest:
                start -= DAY
        events.append(g.event(kind, p, start))
    # A few in progress, a few planned.
    p0, p1, p2 = platforms[0], platforms[1 % len(platforms)], platforms[2 % len(platforms)]
    live = [
        g.event("incident", p1, now - 95 * MIN, "in_progress"),
        g.event("incident", p2, now - 25 * MIN, "in_progress"),
        g.event("maintenance", platforms[3 % len(platforms)], now - 40 * MIN, "in_progress"),
        g.event("action", p0, now - 5 * DAY, "in_progress"),
        g.event("announcement", p2, now - 2 * DAY, "in_progress"),
    ]
    live[0]["ends_at"] = now + HOUR  # an estimate: unresolved, it stays in progress
    live[1]["ends_at"] = None
    for e in live[:2]:
        e["phase"] = e["updates"][-1][1] if e["updates"] else "investigating"
    for d in (1, 2, 4, 6, 9):
        start = now - now % DAY + d * DAY + 21 * HOUR
        events_p = platforms[(d * 3) % len(platforms)]
        live.append(g.event("maintenance", events_p, start, "planned"))
    events.extend(live)
    # Ids by start: the model's order (starts_at, id) is the id order.
    events.sort(key=lambda e: e["starts_at"])
    for i, e in enumerate(events, 1):
        e["id"] = i
        check_event(e, service_platform)

    # Manual levels: two services said degraded by an operator, weeks ago.
    manual_levels = []
    for i, region in enumerate(REGIONS):
        p = platforms[(5 + i) % len(platforms)]
        s = g.by_p[p["slug"]][10 + i]
        manual_levels.append({"region": region, "service_id": s["id"], "level": "minor",
                              "set_at": now - (20 + i) * DAY,
                              "note": ["Réindexation en cours : certains résultats peuvent manquer.",
                                       "Indexing in progress: some results may be missing."][i]})

    messages = [
        (None, ["fr", "na"], ("Nouvelle adresse de la page de statut", "New address for the status page"),
         ("La page de statut est désormais disponible à cette adresse. Mettez à jour vos favoris et vos abonnements aux flux.",
          "The status page now lives at this address. Update your bookmarks and feed subscriptions."), now - 30 * DAY, None),
        (None, ["na"], ("Heures affichées à l'heure de l'Est", "Times shown in Eastern Time"),
         ("Les heures indiquées sur ce site sont à l'heure de l'Est (Toronto, Montréal).",
          "All times on this site are Eastern Time (Toronto, Montreal)."), now - 400 * DAY, None),
        (p0["slug"], ["fr", "na"], ("Déploiement de la nouvelle version", "New version rollout"),
         ("Au cours des deux prochaines semaines, nous déployons progressivement la nouvelle version sur les environnements SaaS. Chaque client est prévenu par e-mail 48 heures avant la mise à jour de son environnement.",
          "Over the next two weeks, we're gradually rolling out the new version to SaaS environments. Each customer gets an email 48 hours before their environment is updated."), now - 2 * DAY, now + 12 * DAY),
        (p1["slug"], ["fr"], ("Support renforcé pendant la clôture annuelle", "Extra support during year-end closing"),
         ("Notre équipe support est joignable de 7 h à 21 h pendant toute la période de clôture.",
          "Our support team is available from 7 am to 9 pm throughout the closing period."), now - 10 * DAY, now + 20 * DAY),
        (None, ["fr", "na"], ("Enquête de satisfaction", "Satisfaction survey"),
         ("Merci de prendre cinq minutes pour répondre à notre enquête annuelle.",
          "Please take five minutes to answer our yearly survey."), now - 200 * DAY, now - 170 * DAY),
        (p2["slug"], ["na"], ("Changement des horaires du support", "Support hours change"),
         ("Le support est désormais ouvert de 8 h à 18 h, heure de l'Est.",
          "Support is now open from 8 am to 6 pm Eastern Time."), now - 500 * DAY, now - 480 * DAY),
    ]

    t_gen = time.monotonic()
    changes = replay(events, manual_levels, services, platforms, now)
    t_replay = time.monotonic()

    # ---- The dump, in the format of `vigie export` (src/store/sqlite_store.cc).
    tables = {}

    def table(name, columns, rows):
        tables[name] = (columns, rows)

    table("meta", ["key", "value"], [["reconciled_at", str(now)]])
    table("platforms", ["slug", "position", "name_fr", "name_en", "category_fr", "category_en",
                        "description_fr", "description_en", "products"],
          [[p["slug"], p["position"], p["name"][0], p["name"][1], p["category"][0], p["category"][1],
            p["description"][0], p["description"][1],
            json.dumps(p["products"], ensure_ascii=False, separators=(",", ":"))] for p in platforms])
    table("services", ["id", "platform", "slug", "position", "name_fr", "name_en", "information_fr",
                       "information_en", "impact_fr", "impact_en", "retired", "created_at"],
          [[s["id"], s["platform"], s["slug"], s["position"], s["name"][0], s["name"][1],
            s["information"][0], s["information"][1], s["impact"][0], s["impact"][1], s["retired"],
            s["created_at"]] for s in services])
    table("manual_levels", ["region", "service_id", "level", "set_at", "note"],
          [[m["region"], m["service_id"], m["level"], m["set_at"], m["note"]] for m in manual_levels])
    table("overrides", ["region", "platform", "level", "set_at", "note"], [])
    regions_json = {}

    def rj(regions):
        k = tuple(regions)
        if k not in regions_json:
            regions_json[k] = json.dumps(regions, separators=(",", ":"))
        return regions_json[k]

    table("events", ["id", "kind", "platform", "regions", "title_fr", "title_en", "body_fr",
                     "body_en", "starts_at", "ends_at", "phase", "cancelled", "created_at",
                     "updated_at"],
          [[e["id"], e["kind"], e["platform"], rj(e["regions"]), e["title"][0], e["title"][1],
            e["body"][0], e["body"][1], e["starts_at"], e["ends_at"], e["phase"], e["cancelled"],
            e["created_at"], e["updated_at"]] for e in events])
    table("event_services", ["event_id", "service_id", "level"],
          [[e["id"], i, l] for e in events for i, l in e["impacts"]])
    ups = []
    for e in events:
        for at, ph, (tfr, ten) in e["updates"]:
            ups.append([len(ups) + 1, e["id"], at, ph, tfr, ten])
    table("event_updates", ["id", "event_id", "at", "phase", "text_fr", "text_en"], ups)
    table("messages", ["id", "platform", "regions", "title_fr", "title_en", "body_fr", "body_en",
                       "published_at", "expires_at"],
          [[i + 1, m[0], rj(m[1]), m[2][0], m[2][1], m[3][0], m[3][1], m[4], m[5]]
           for i, m in enumerate(messages)])
    table("status_changes", ["id", "region", "platform", "service_id", "from_level", "to_level",
                             "at", "cause", "event_id", "note"],
          [[i + 1, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], ""]
           for i, c in enumerate(changes)])
    table("audit", ["id", "at", "actor", "action", "detail"],
          [[1, now, "gen_scale", "import.dump",
            "bench/gen_scale.py --seed %d: %d platforms, %d services, %d events"
            % (a.seed, len(platforms), len(services), len(events))]])
    table("users", ["id", "name", "role", "password_hash", "disabled", "created_at",
                    "password_changed_at"], [])
    table("api_tokens", ["id", "name", "token_hash", "role", "created_by", "created_at",
                         "revoked_at", "last_used_at"], [])

    dump_path = os.path.join(a.out, "dump.json")
    with open(dump_path + ".tmp", "w", encoding="utf-8") as f:
        f.write('{"format":"vigie-dump","schema_version":%d,"tables":{' % a.schema_version)
        for n, (name, (cols, rows)) in enumerate(tables.items()):
            f.write("%s\n%s:{\"columns\":%s,\"rows\":[" % ("," if n else "", json.dumps(name),
                                                          json.dumps(cols)))
            for k in range(0, len(rows), 20000):  # one C-encoded chunk at a time
                chunk = json.dumps(rows[k:k + 20000], ensure_ascii=False, separators=(",", ":"))
                f.write(("," if k else "") + "\n" + chunk[1:-1])
            f.write("]}")
        f.write("}}\n")
    os.replace(dump_path + ".tmp", dump_path)
    t_write = time.monotonic()

    # ---- What bench/run measures: the first platform and one of its services that no live
    # event or manual level touches; history pages per region.
    busy = {i for e in live for i, _ in e["impacts"]} | {m["service_id"] for m in manual_levels}
    probe_p = platforms[0]
    probe_s = next(s for s in g.by_p[probe_p["slug"]] if s["id"] not in busy)
    pages = {}
    for region in REGIONS:
        n = sum(1 for e in events if e["platform"] == probe_p["slug"] and region in e["regions"]
                and (e["cancelled"] or (e["ends_at"] is not None and e["ends_at"] <= now
                                        and (e["kind"] != "incident" or e["phase"] == "resolved"))))
        pages[region] = {"past_events": n, "history_pages": max(1, (n + 19) // 20)}
    probe = {"now": now, "platform": probe_p["slug"], "service": probe_s["slug"],
             "other_platform": platforms[-1]["slug"], "regions": pages,
             "event_id": events[len(events) // 2]["id"]}
    with open(os.path.join(a.out, "probe.json"), "w") as f:
        json.dump(probe, f, indent=1)
        f.write("\n")

    kinds_count = {k: sum(1 for e in events if e["kind"] == k) for k in kinds}
    text_bytes = sum(len(e["title"][0]) + len(e["title"][1]) + len(e["body"][0]) + len(e["body"][1])
                     for e in events) + sum(len(u[4]) + len(u[5]) for u in ups)
    print("platforms=%d services=%d events=%d past=%d live=%d incidents=%d maintenance=%d actions=%d "
          "announcements=%d cancelled=%d impacts=%d updates=%d messages=%d manual_levels=%d "
          "status_changes=%d text_chars=%d dump_bytes=%d now=%d seconds_events=%.1f "
          "seconds_replay=%.1f seconds_write=%.1f seconds=%.1f"
          % (len(platforms), len(services), len(events), a.events, len(live),
             kinds_count["incident"], kinds_count["maintenance"], kinds_count["action"],
             kinds_count["announcement"], sum(e["cancelled"] for e in events),
             len(tables["event_services"][1]), len(ups), len(messages), len(manual_levels),
             len(changes), text_bytes, os.path.getsize(dump_path), now, t_gen - t_start,
             t_replay - t_gen, t_write - t_replay, time.monotonic() - t_start))


if __name__ == "__main__":
    main(sys.argv[1:])
