#include "render/admin_render.h"

#include <nlohmann/json.hpp>

#include "render/escape.h"
#include "render/mustache.h"

namespace vigie {

namespace {

Data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      Data d;
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      Data list{Data::type::list};
      for (const auto& v : j) list.push_back(ToData(v));
      return list;
    }
    case nlohmann::json::value_t::string:
      return Data(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return Data(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return Data(std::to_string(j.get<int64_t>()));
    case nlohmann::json::value_t::number_float:
      return Data(std::to_string(j.get<double>()));
    default:
      return Data(false);
  }
}

// `name` rendered from `data`, over the catalog (t.*) of the language.
std::string Render(const AdminPageView& v, std::string_view name, const Data& data) {
  const ParsedTemplate* tmpl = v.templates.Parsed(name);
  if (!tmpl) return {};
  return tmpl->Render(data, &v.templates.Common().by_lang[v.lang == Lang::kFr ? 0 : 1]);
}

}  // namespace

std::string RenderAdminPage(const AdminPageView& v, std::string_view name,
                            const nlohmann::json& data, const std::string& title) {
  Data d = ToData(data);
  d.set("csrf", v.csrf);
  // Partials ({{> badge}}, ...) are written into the templates when they load.
  const std::string content = Render(v, name, d);
  Data layout;
  layout.set("content", content);
  layout.set("title", title);
  layout.set("html_lang", std::string(LangId(v.lang)));
  layout.set("site_name", std::string(Localize(v.site_name, v.lang).text));
  layout.set("css_url", v.statics.css);
  layout.set("admin_css_url", v.statics.admin_css);
  layout.set("admin_js_url", v.statics.admin_js);
  layout.set("favicon_url", v.statics.favicon);
  layout.set("user", v.user);
  layout.set("role", v.role);
  layout.set("signed_in", !v.user.empty());
  layout.set("is_admin", v.role == "admin");
  layout.set("csrf", v.csrf);
  if (!v.outage.empty()) layout.set("outage", v.outage);
  // The language switch: /set-lang sets the cookie the back-office reads, and comes back here.
  const Lang other = OtherLang(v.lang);
  layout.set("other_lang", std::string(LangId(other)));
  layout.set("switch_lang_url",
             "/set-lang/" + std::string(LangId(other)) +
                 "?next=" + QueryEscape(v.here.rfind("/admin", 0) == 0 ? v.here : "/admin/"));
  return Render(v, "admin_layout", layout);
}

}  // namespace vigie
