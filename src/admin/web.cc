// The back-office's common answers: pages, redirects and form errors, and the helpers every
// part shares (admin/parts.h).
#include "admin/web.h"

#include <charconv>

#include "admin/parts.h"
#include "core/log.h"

namespace vigie {

namespace admin {

Form ParseForm(std::string_view body) {
  Form out;
  for (auto& [name, value] : http::UrlEncoded(body).All())
    out.emplace(std::move(name), std::move(value));
  return out;
}

std::string Field(const Form& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

std::vector<std::string> Fields(const Form& f, const std::string& key) {
  std::vector<std::string> out;
  for (auto [it, end] = f.equal_range(key); it != end; ++it) out.push_back(it->second);
  return out;
}

Text TextOf(const Form& f, const std::string& prefix) {
  return Text{Field(f, prefix + "_fr"), Field(f, prefix + "_en")};
}

std::optional<int64_t> IdParam(const http::Request& req) {
  const std::string_view s = req.Param("id");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

void SecurityHeaders(http::Response& res) {
  res.Set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  res.Set("X-Content-Type-Options", "nosniff");
  res.Set("X-Frame-Options", "DENY");
  res.Set("Referrer-Policy", "same-origin");
  res.Set("Cache-Control", "no-store");
}

http::Response JsonResponse(int status, const json& body) {
  http::Response res;
  res.status = status;
  res.Set("Content-Type", "application/json; charset=utf-8");
  res.Set("Cache-Control", "no-store");
  res.SetBody(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  return res;
}

void LogIfFailed(std::string_view what, const Status& st) {
  if (!st.ok()) LogError("admin: could not " + std::string(what) + ": " + st.ToString());
}

std::string L(const Text& t, Lang lang) { return std::string(Localize(t, lang).text); }

}  // namespace admin

AdminWeb::AdminWeb(AdminOptions options, Publisher& publisher, Store& store, const Clock& clock,
                   AdminAssets assets)
    : options_(options),
      publisher_(publisher),
      store_(store),
      clock_(clock),
      ops_(publisher, store, clock) {
  SetAssets(assets);
}

void AdminWeb::SetAssets(AdminAssets assets) {
  std::lock_guard lock(assets_mu_);
  kept_assets_.push_back(std::make_unique<const AdminAssets>(assets));
  assets_.store(kept_assets_.back().get(), std::memory_order_release);
}

http::Response AdminWeb::Html(const Caller& c, int status, std::string_view name,
                              const nlohmann::json& data, const std::string& title) const {
  AdminPageView v{assets().messages,
                  assets().templates,
                  assets().statics,
                  assets().site_name,
                  c.lang,
                  c.session_hash.empty() ? std::string() : c.name,
                  std::string(RoleId(c.role)),
                  c.csrf,
                  c.here,
                  Outage(c.lang)};
  http::Response res;
  res.status = status;
  res.Set("Content-Type", "text/html; charset=utf-8");
  SecurityHeaders(res);
  res.SetBody(RenderAdminPage(v, name, data, title));
  return res;
}

std::string AdminWeb::Outage(Lang lang) const {
  if (!options_.health) return {};
  const StoreHealth::State h = options_.health->Get();
  if (h.reachable) return {};
  const std::shared_ptr<const Snapshot> snap = publisher_.Current();
  return Fill(assets().messages.Get(lang, "admin.database_down"),
              {{"since", FormatRfc3339(h.since)},
               {"as_of", snap ? FormatRfc3339(snap->as_of()) : std::string("—")}});
}

http::Response AdminWeb::Unreachable(const Caller& c, const Status& why) const {
  LogWarn("admin: " + why.ToString());
  return Html(c, 503, "admin_message",
              json{{"message", assets().messages.Get(c.lang, "admin.database_unreachable") + " (" +
                                   why.message() + ")"},
                   {"link", c.here.empty() ? std::string("/admin/") : c.here}},
              assets().messages.Get(c.lang, "admin.refused"));
}

http::Response AdminWeb::Back(const std::string& where) const {
  http::Response res;
  res.status = 303;
  res.Set("Location", where);
  SecurityHeaders(res);
  return res;
}

http::Response AdminWeb::FormError(http::Request& req, const Caller& c, const Status& st) {
  // Back to the page the form came from, when it is one of ours.
  std::string back = "/admin/";
  const std::string_view referer = req.Header("referer");
  if (const size_t at = referer.find("/admin"); at != std::string_view::npos) {
    const std::string path(referer.substr(at));
    if (path.find_first_of("\"<>\r\n") == std::string::npos) back = path;
  }
  return Html(c, http::HttpStatusOf(st), "admin_message",
              json{{"message", st.message()}, {"link", back}},
              assets().messages.Get(c.lang, "admin.refused"));
}

}  // namespace vigie
