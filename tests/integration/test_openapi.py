"""docs/openapi.yaml against the real binary: the document is OpenAPI 3.1 with valid JSON Schemas,
every documented GET answers as documented (status, headers, body) with its examples, every
admin POST too, the documented error cases hold, and the documented paths are exactly the
routes under /api/ of src/app/routes.cc.

Standard library plus Debian's python3-yaml and python3-jsonschema.
"""
import copy
import json
import os
import re
import sqlite3
import unittest
import urllib.parse

import jsonschema
import yaml

import harness

try:  # jsonschema >= 4.18 resolves $ref through a registry; 4.10 (Debian 12) has RefResolver.
    import referencing
    import referencing.jsonschema
except ImportError:
    referencing = None

# The document's URI while validating: never fetched, the registry or resolver holds it.
SPEC_URI = "https://vigie.invalid/docs/openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
NO_SUCH_PLATFORM = "no-such-platform"
# The admin operations in the order the test calls them: an event is created, updated, then
# the demo's incident in progress (the examples' event 1) resolved.
ADMIN_ORDER = ["createEvent", "postEventUpdate", "resolveEvent", "setServiceLevel", "createMessage",
               "resumeSubscriber", "removeSubscriber"]


def escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens):
    return "".join("/" + escape(t) for t in tokens)


def normalize(pattern):
    """A path with its parameters' names left out: /api/v1/events/{} for /api/v1/events/{id}."""
    return re.sub(r"\{[^/{}]*\}", "{}", pattern)


class Spec:
    """The loaded document, with $ref resolution for its objects and its schemas."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.registry = self.resolver = None
        if referencing is not None:
            resource = referencing.jsonschema.DRAFT202012.create_resource(self.doc)
            self.registry = referencing.Registry().with_resource(SPEC_URI, resource)
            try:
                jsonschema.Draft202012Validator({}, registry=self.registry)
            except TypeError:  # referencing is there, but this jsonschema predates it
                self.registry = None
        if self.registry is None:
            self.resolver = jsonschema.RefResolver(SPEC_URI, self.doc)

    def at(self, ptr):
        node = self.doc
        for token in ptr.split("/")[1:]:
            token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def deref(self, obj, ptr):
        """(object, pointer) of what obj (found at ptr) is, following $refs within the document."""
        seen = set()
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            assert ref.startswith("#/"), "a $ref outside the document: %s at %s" % (ref, ptr)
            assert ref not in seen, "a $ref loop through %s" % ref
            seen.add(ref)
            ptr = ref[1:]
            obj = self.at(ptr)
        return obj, ptr

    def validator(self, ptr):
        """A 2020-12 validator of the schema at `ptr`, its $refs resolved in the document."""
        schema = {"$ref": SPEC_URI + "#" + urllib.parse.quote(ptr, safe="/~")}
        if self.registry is not None:
            return jsonschema.Draft202012Validator(schema, registry=self.registry)
        return jsonschema.Draft202012Validator(schema, resolver=self.resolver)

    def errors(self, ptr, instance):
        """What is wrong with `instance` against the schema at `ptr`, the deepest first; for
        oneOf/anyOf, with the reason of the closest alternative."""
        out = []
        for e in self.validator(ptr).iter_errors(instance):
            if e.context:
                e = jsonschema.exceptions.best_match(e.context)
            where = "/".join(map(str, e.absolute_path)) or "(root)"
            out.append((-len(e.absolute_path), "%s: %s" % (where, e.message[:200])))
        return [text for _, text in sorted(out)]

    def operations(self):
        """(path, method, operation, pointer, parameters by (in, name)) of every operation."""
        for path, item in self.doc["paths"].items():
            for method in METHODS:
                if method not in item:
                    continue
                params = {}
                for where in (("paths", path), ("paths", path, method)):
                    node = self.at(pointer(*where))
                    for i, p in enumerate(node.get("parameters", [])):
                        p, _ = self.deref(p, pointer(*where, "parameters", i))
                        params[(p["in"], p["name"])] = p
                yield path, method, item[method], pointer("paths", path, method), params

    def schema_values(self, schema, ptr):
        """The values a parameter's schema names: its enum, else its examples."""
        if "examples" in schema:
            return list(schema["examples"])
        target, _ = self.deref(schema, ptr)
        return [v for v in target.get("enum", []) if v is not None]


def source_file(*parts):
    return os.path.join(harness.ARGS.source, *parts)


def routes_under_api():
    """Every (METHOD, normalized pattern) of src/app/routes.cc under /api/, the Statuspage
    routes added in a loop over prefixes included."""
    with open(source_file("src", "app", "routes.cc"), encoding="utf-8") as f:
        text = f.read()
    prefixes = {}  # loop variable -> the strings it takes
    routes, calls = set(), 0
    for line in text.splitlines():
        loop = re.search(r"for \(const std::string (\w+)\s*:\s*\{(.*)\}\)", line)
        if loop:
            prefixes[loop.group(1)] = re.findall(r'"([^"]*)"', loop.group(2))
            continue
        if not re.match(r"\s*add\(", line):
            continue
        calls += 1
        m = re.match(r'\s*add\("(\w+)",\s*(?:(\w+)\s*\+\s*)?"([^"]*)"', line)
        assert m, "a route line this test cannot read: " + line.strip()
        method, var, pattern = m.groups()
        assert var is None or var in prefixes, "an unknown prefix %r in: %s" % (var, line.strip())
        for prefix in ([""] if var is None else prefixes[var]):
            full = prefix + pattern
            if "/api/" in full:
                routes.add((method, normalize(full)))
    assert calls >= 40 and ("GET", "/api/v1/regions") in routes, "routes.cc was not read right"
    return routes


class Checks:
    """What both test classes share: calling operations and checking their answers."""

    spec = None

    @classmethod
    def load_spec(cls):
        cls.spec = Spec(source_file("docs", "openapi.yaml"))

    def url(self, path, params, query=None, overrides=None):
        overrides = overrides or {}

        def value(m):
            name = m.group(1)
            p = params.get(("path", name))
            self.assertIsNotNone(p, "path parameter {%s} of %s is not documented" % (name, path))
            return urllib.parse.quote(str(overrides.get(name, p["example"])), safe="")

        url = re.sub(r"\{([^/{}]+)\}", value, path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return url

    def check_answer(self, op, op_ptr, what, status, headers, body):
        """Checks an answer against the operation's documented responses; returns its JSON."""
        responses = op["responses"]
        self.assertIn(str(status), responses, "%s: status %d is not documented: %r"
                      % (what, status, body[:300]))
        resp, ptr = self.spec.deref(responses[str(status)], op_ptr + pointer("responses", str(status)))
        for name, header in resp.get("headers", {}).items():
            header, hptr = self.spec.deref(header, ptr + pointer("headers", name))
            value = headers.get(name.lower())
            if header.get("required"):
                self.assertIsNotNone(value, "%s: no %s header" % (what, name))
            if value is not None and "schema" in header:
                errors = self.spec.errors(hptr + "/schema", value)
                self.assertEqual(errors, [], "%s: header %s: %r" % (what, name, value))
        content = resp.get("content")
        if not content:
            self.assertEqual(body, b"", "%s: a body where none is documented" % what)
            return None
        self.assertIn("application/json", content, what)
        self.assertTrue(headers.get("content-type", "").startswith("application/json"),
                        "%s: Content-Type %r" % (what, headers.get("content-type")))
        data = json.loads(body)
        errors = self.spec.errors(ptr + pointer("content", "application/json", "schema"), data)
        if errors:
            self.fail("%s: the %d body does not match its schema:\n  %s"
                      % (what, status, "\n  ".join(errors[:10])))
        return data

    def call(self, method, url, op, op_ptr, headers=None, body=None, expect=None):
        status, hdrs, data = self.v.request(method, url, headers, body)
        what = "%s %s (%s)" % (method, url, op["operationId"])
        if expect is not None:
            self.assertEqual(status, expect, "%s: %r" % (what, data[:300]))
        return status, hdrs, self.check_answer(op, op_ptr, what, status, hdrs, data)

    def gets(self):
        """The public GETs (the admin ones need a token: AdminApiTest calls them)."""
        return [o for o in self.spec.operations() if o[1] == "get" and not o[2].get("security")]

    def admin_gets(self):
        return {o[2]["operationId"]: o for o in self.spec.operations()
                if o[1] == "get" and o[2].get("security")}

    def sweep_gets(self):
        """Every documented GET with its examples: plain, with every query example, with each
        value a query parameter's schema names, and conditionally (304). Returns the count."""
        calls = 0
        for path, _, op, op_ptr, params in self.gets():
            with self.subTest(operation=op["operationId"]):
                plain = self.url(path, params)
                _, hdrs, _ = self.call("GET", plain, op, op_ptr, expect=200)
                self.call("GET", plain, op, op_ptr, {"If-None-Match": hdrs["etag"]}, expect=304)
                query = {name: p["example"] for (where, name), p in params.items() if where == "query"}
                self.call("GET", self.url(path, params, query), op, op_ptr, expect=200)
                calls += 3
                for (where, name), p in params.items():
                    if where != "query":
                        continue
                    for value in self.spec.schema_values(p["schema"], "%s parameter %s" % (op_ptr, name)):
                        self.call("GET", self.url(path, params, {name: value}), op, op_ptr, expect=200)
                        calls += 1
        return calls


class OpenApiTest(Checks, harness.SiteTest):
    """The document, and the read-only APIs of the demo scenario."""

    @classmethod
    def prepare(cls):
        cls.load_spec()

    # ---- the document itself ----
    def test_the_document_is_openapi_3_1_with_valid_json_schemas(self):
        doc = self.spec.doc
        self.assertTrue(str(doc["openapi"]).startswith("3.1."), doc["openapi"])
        self.assertEqual(doc.get("jsonSchemaDialect"), "https://json-schema.org/draft/2020-12/schema")
        self.assertTrue(doc["info"]["title"] and doc["info"]["version"])
        schemas = doc["components"]["schemas"]
        self.assertGreater(len(schemas), 20)
        checked = 0

        def walk(node, ptr):
            nonlocal checked
            if isinstance(node, dict):
                for key, value in node.items():
                    here = ptr + pointer(key)
                    if key == "$ref" and isinstance(value, str):
                        try:  # every $ref lands in the document
                            self.spec.at(value[1:])
                        except (KeyError, IndexError, ValueError):
                            self.fail("%s: a $ref to nothing: %s" % (ptr, value))
                    elif key == "schema" and isinstance(value, dict) and "/properties" not in ptr:
                        jsonschema.Draft202012Validator.check_schema(value)
                        checked += 1
                    walk(value, here)
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, ptr + pointer(i))

        for name, schema in schemas.items():
            with self.subTest(schema=name):
                jsonschema.Draft202012Validator.check_schema(schema)
        walk(doc, "")
        self.assertGreater(checked, 50, "the schemas of parameters, headers and bodies")
        self.assertIn("bearerAuth", doc["components"]["securitySchemes"])
        self.assertEqual(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer")

    def test_every_operation_has_an_id_a_summary_and_valid_examples(self):
        ids = []
        for path, method, op, op_ptr, params in self.spec.operations():
            with self.subTest(path=path, method=method):
                ids.append(op.get("operationId"))
                self.assertTrue(op.get("operationId") and op.get("summary"), op_ptr)
                named = set(re.findall(r"\{([^/{}]+)\}", path))
                self.assertEqual(named, {n for (w, n) in params if w == "path"}, path)
                for (where, name), p in params.items():
                    self.assertIn("example", p, "%s: parameter %s has no example" % (op_ptr, name))
                    if where == "path":
                        self.assertTrue(p.get("required"), name)
                    schema_ptr = self.find_parameter(op_ptr, where, name) + "/schema"
                    self.assertEqual(self.spec.errors(schema_ptr, p["example"]), [], name)
                if "requestBody" in op:
                    body, body_ptr = self.spec.deref(op["requestBody"], op_ptr + "/requestBody")
                    media = body["content"]["application/json"]
                    self.assertIn("example", media, "%s: the request body has no example" % op_ptr)
                    schema_ptr = body_ptr + pointer("content", "application/json", "schema")
                    self.assertEqual(self.spec.errors(schema_ptr, media["example"]), [], op_ptr)
                if method == "get" and not op.get("security"):  # public: a region and a language
                    self.assertIn(("query", "lang"), params, op_ptr)
                    self.assertIn(("query", "region"), params, op_ptr)
                if method == "post":
                    self.assertEqual(op.get("security"), [{"bearerAuth": []}], op_ptr)
                    for code in ("401", "403", "400", "404", "409", "503"):
                        self.assertIn(code, op["responses"], op_ptr)
                for code, resp in op["responses"].items():
                    resp, rptr = self.spec.deref(resp, op_ptr + pointer("responses", code))
                    media = resp.get("content", {}).get("application/json")
                    if media and "example" in media:
                        schema_ptr = rptr + pointer("content", "application/json", "schema")
                        self.assertEqual(self.spec.errors(schema_ptr, media["example"]), [], rptr)
        self.assertEqual(len(ids), len(set(ids)), "operationIds are unique")

    def find_parameter(self, op_ptr, where, name):
        """The pointer of the schema-holding object of parameter (where, name) of an operation."""
        path_ptr = op_ptr.rsplit("/", 1)[0]
        for owner in (op_ptr, path_ptr):
            for i, p in enumerate(self.spec.at(owner).get("parameters", [])):
                target, ptr = self.spec.deref(p, owner + "/parameters/%d" % i)
                if (target["in"], target["name"]) == (where, name):
                    return ptr
        self.fail("no parameter %s %s in %s" % (where, name, op_ptr))

    # ---- the binary ----
    def test_every_get_answers_as_documented_with_its_examples(self):
        calls = self.sweep_gets()
        self.assertGreaterEqual(calls, 3 * 24)

    def test_documented_errors(self):
        for path, _, op, op_ptr, params in self.gets():
            with self.subTest(operation=op["operationId"]):
                # An unknown platform: the documented 404, with the error schema.
                if ("path", "platform") in params:
                    url = self.url(path, params, overrides={"platform": NO_SUCH_PLATFORM})
                    _, _, err = self.call("GET", url, op, op_ptr, expect=404)
                    self.assertEqual(err["error"]["code"], "not_found")
                    self.assertIn(NO_SUCH_PLATFORM, err["error"]["message"])
                # A language no region has: the documented 400.
                if ("query", "lang") in params:
                    _, _, err = self.call("GET", self.url(path, params, {"lang": "de"}), op, op_ptr,
                                          expect=400)
                    self.assertEqual(err["error"]["code"], "bad_request")
                if ("query", "region") in params:
                    self.call("GET", self.url(path, params, {"region": "mars"}), op, op_ptr, expect=400)
        ops = {op["operationId"]: (path, op, op_ptr, params) for path, _, op, op_ptr, params in self.gets()}
        path, op, op_ptr, params = ops["listMessages"]
        self.call("GET", self.url(path, params, {"platform": NO_SUCH_PLATFORM}), op, op_ptr, expect=404)
        path, op, op_ptr, params = ops["getEvent"]
        self.call("GET", self.url(path, params, overrides={"id": 999999}), op, op_ptr, expect=404)
        self.call("GET", self.url(path, params, overrides={"id": "01"}), op, op_ptr, expect=400)
        path, op, op_ptr, params = ops["listPlatformEvents"]
        for bad in ({"limit": 0}, {"limit": 201}, {"page": 0}, {"state": "soon"}, {"kind": "party"}):
            self.call("GET", self.url(path, params, bad), op, op_ptr, expect=400)
        self.call("GET", self.url(path, params, {"page": 100000}), op, op_ptr, expect=404)

    def test_nothing_undocumented_is_served_under_api(self):
        documented = {(method.upper(), normalize(path)) for path, method, _, _, _ in self.spec.operations()}
        served = routes_under_api()
        self.assertEqual(sorted(served - documented), [], "served under /api/ but not documented")
        self.assertEqual(sorted(documented - served), [], "documented but not served")
        self.assertEqual(len(served), 8 + 16 + 5 + 5)

    def test_the_schemas_refuse_wrong_bodies(self):
        """The test can fail: real bodies, altered, no longer match."""
        ops = {op["operationId"]: (path, op, op_ptr, params) for path, _, op, op_ptr, params in self.gets()}

        def body_of(op_id):
            path, op, op_ptr, params = ops[op_id]
            status, _, data = self.v.request("GET", self.url(path, params))
            self.assertEqual(status, 200)
            return json.loads(data), op_ptr + "/responses/200/content/application~1json/schema"

        def refused(data, ptr, change):
            wrong = copy.deepcopy(data)
            change(wrong)
            self.assertNotEqual(self.spec.errors(ptr, wrong), [], "accepted: %s" % change.__doc__)

        platforms, ptr = body_of("listPlatforms")
        self.assertEqual(self.spec.errors(ptr, platforms), [])

        def purple(j):
            "a level out of the enum"
            j["platforms"][0]["status"]["level"] = "purple"

        def extra(j):
            "an undocumented member"
            j["platforms"][0]["extra"] = 1

        def no_as_of(j):
            "a required member missing"
            del j["as_of"]

        def bad_time(j):
            "a time in another shape"
            j["as_of"] = "2026-11-28 15:30"

        for change in (purple, extra, no_as_of, bad_time):
            refused(platforms, ptr, change)

        event, ptr = body_of("getEvent")

        def fixing(j):
            "a phase out of the enum"
            j["event"]["phase"] = "fixing"

        def update_extra(j):
            "an undocumented member of an update"
            j["event"]["updates"][0]["by"] = "someone"

        for change in (fixing, update_extra):
            refused(event, ptr, change)

        summary, ptr = body_of("getStatuspageSummary")
        self.assertTrue(summary["components"] and summary["incidents"])

        def degraded(j):
            "a component status out of Statuspage's enum"
            j["components"][1]["status"] = "degraded"

        def grouped_service(j):
            "a service component without its group"
            j["components"][1]["group_id"] = None

        def ms(j):
            "a Statuspage time without milliseconds"
            j["page"]["updated_at"] = j["page"]["updated_at"].replace(".000Z", "Z")

        def maintenance_impact(j):
            "an incident with a maintenance's impact"
            j["incidents"][0]["impact"] = "maintenance"

        for change in (degraded, grouped_service, ms, maintenance_impact):
            refused(summary, ptr, change)

        path, op, op_ptr, params = ops["getPlatform"]
        _, _, data = self.v.request("GET", self.url(path, params, overrides={"platform": NO_SUCH_PLATFORM}))
        ptr = op_ptr + "/responses/404"
        _, ptr = self.spec.deref(self.spec.at(ptr), ptr)
        ptr += "/content/application~1json/schema"
        err = json.loads(data)
        self.assertEqual(self.spec.errors(ptr, err), [])

        def no_message(j):
            "an error without its message"
            del j["error"]["message"]

        def wrong_code(j):
            "a 404 with another code"
            j["error"]["code"] = "bad_request"

        for change in (no_message, wrong_code):
            refused(err, ptr, change)


class AdminApiTest(Checks, harness.SiteTest):
    """The admin JSON API, on a binary of its own (it changes the demo's state)."""

    @classmethod
    def prepare(cls):
        cls.load_spec()
        cls.admin_token = cls.v.token(name="openapi", role="admin")
        cls.editor_token = cls.v.token(name="openapi-editor", role="editor")
        cls.add_subscriber(1, "ops")  # #1, as the examples have it

    @classmethod
    def add_subscriber(cls, sid, name):
        """A confirmed webhook subscriber (the demo site sends no mail: written as an import
        would)."""
        db = sqlite3.connect(os.path.join(cls.v.data, "vigie.db"), timeout=10)
        with db:
            db.execute("INSERT INTO subscribers(id, email, email_key, region, lang, created_at, "
                       "confirmed_at, channel, endpoint, secret) VALUES (?, ?, ?, 'fr', 'en', "
                       "1700000000, 1700000100, 'webhook', 'https://hooks.example.com/vigie', 'k')",
                       (sid, name + "@divalto.example",
                        name + "@divalto.example webhook https://hooks.example.com/vigie"))
            db.execute("INSERT INTO subscriptions(subscriber_id, platform, topic, target) "
                       "VALUES (?, 'weavy', 'platform', 0)", (sid,))
        db.close()

    def get_admin(self, op_id, token, query=None, expect=200):
        path, _, op, op_ptr, params = self.admin_gets()[op_id]
        headers = {"Authorization": "Bearer " + token} if token else {}
        return self.call("GET", self.url(path, params, query), op, op_ptr, headers, expect=expect)[2]

    def test_admin_reads_answer_as_documented(self):
        self.assertEqual(sorted(self.admin_gets()), ["getNotice", "listNotices", "listSubscribers"])
        self.add_subscriber(2, "reader")  # its own: the other test removes #1
        page = self.get_admin("listSubscribers", self.admin_token)
        mine = [x for x in page["subscribers"] if x["id"] == 2]
        self.assertEqual(mine[0]["endpoint"], "https://hooks.example.com/vigie")
        self.assertEqual(mine[0]["follows"], [{"platform": "weavy", "topic": "platform", "target": 0}])
        self.assertGreaterEqual(page["counts"]["confirmed"], 1)
        self.assertIsNone(page["next_after"])
        found = self.get_admin("listSubscribers", self.admin_token, {"q": "READER@"})
        self.assertEqual([x["id"] for x in found["subscribers"]], [2])
        self.assertEqual(self.get_admin("listSubscribers", self.admin_token, {"q": "nobody"})["subscribers"], [])
        self.get_admin("listSubscribers", self.admin_token, {"after": "x"}, expect=400)
        # Addresses are for admin tokens: an editor's is refused, and gets none in a log.
        err = self.get_admin("listSubscribers", self.editor_token, expect=403)
        self.assertEqual(err["error"]["code"], "forbidden")
        self.get_admin("listSubscribers", None, expect=401)
        # A write that tells subscribers leaves a notice with its log.
        self.post("createMessage", self.example("createMessage"), self.admin_token)
        notices = self.get_admin("listNotices", self.editor_token)["notices"]
        self.assertEqual(notices[0]["kind"], "message.published")
        path, _, op, op_ptr, params = self.admin_gets()["getNotice"]
        for token in (self.admin_token, self.editor_token):
            _, _, log = self.call("GET", self.url(path, params, overrides={"id": notices[0]["id"]}),
                                  op, op_ptr, {"Authorization": "Bearer " + token}, expect=200)
            self.assertEqual(log["notice"]["id"], notices[0]["id"])
        self.call("GET", self.url(path, params, overrides={"id": 999999}), op, op_ptr,
                  {"Authorization": "Bearer " + self.admin_token}, expect=404)
        self.get_admin("listNotices", self.editor_token, {"before": "-1"}, expect=400)

    def posts(self):
        return {op["operationId"]: (path, op, op_ptr, params)
                for path, method, op, op_ptr, params in self.spec.operations() if method == "post"}

    def post(self, op_id, body, token=None, overrides=None, expect=None):
        path, op, op_ptr, params = self.posts()[op_id]
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = body if isinstance(body, str) else json.dumps(body)
        return self.call("POST", self.url(path, params, overrides=overrides), op, op_ptr, headers,
                         data.encode(), expect)

    def example(self, op_id):
        _, op, op_ptr, _ = self.posts()[op_id]
        if "requestBody" not in op:
            return ""
        body, _ = self.spec.deref(op["requestBody"], op_ptr + "/requestBody")
        return body["content"]["application/json"]["example"]

    def test_admin_operations_answer_as_documented_with_their_examples(self):
        self.assertEqual(sorted(self.posts()), sorted(ADMIN_ORDER), "every admin operation is called")
        for op_id in ADMIN_ORDER:
            with self.subTest(operation=op_id):
                status, _, data = self.post(op_id, self.example(op_id), self.admin_token)
                self.assertIn(status, (200, 201), data)
                if op_id == "createEvent":
                    created = data
        # What the writes made reads as documented: the new event, and every GET again.
        ops = {op["operationId"]: (path, op, op_ptr, params) for path, _, op, op_ptr, params in self.gets()}
        path, op, op_ptr, params = ops["getEvent"]
        _, _, event = self.call("GET", created["url"], op, op_ptr, expect=200)
        self.assertEqual(event["event"]["id"], created["id"])
        self.assertEqual(event["event"]["updates_count"], 1)
        _, _, resolved = self.call("GET", self.url(path, params), op, op_ptr, expect=200)
        self.assertEqual((resolved["event"]["state"], resolved["event"]["phase"]), ("past", "resolved"))
        self.sweep_gets()

    def test_admin_refusals_are_documented(self):
        for op_id in ADMIN_ORDER:
            with self.subTest(operation=op_id):
                _, hdrs, err = self.post(op_id, self.example(op_id), expect=401)
                self.assertEqual(hdrs["www-authenticate"], "Bearer")
                self.assertEqual(err["error"]["code"], "unauthorized")
                _, hdrs, _ = self.post(op_id, self.example(op_id), token="vigie_forged", expect=401)
                self.assertIn("invalid_token", hdrs["www-authenticate"])
        self.post("createEvent", "{not json", self.admin_token, expect=400)
        self.post("createEvent", dict(self.example("createEvent"), kind="party"), self.admin_token,
                  expect=400)
        self.post("setServiceLevel", dict(self.example("setServiceLevel"), service="nope"),
                  self.admin_token, expect=404)
        self.post("postEventUpdate", self.example("postEventUpdate"), self.admin_token,
                  overrides={"id": 999999}, expect=404)
        self.post("resolveEvent", "", self.admin_token, overrides={"id": 999999}, expect=404)
        self.post("removeSubscriber", "", self.admin_token, overrides={"id": 999999}, expect=404)
        self.post("resumeSubscriber", "", self.editor_token, expect=403)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
