#include "app/web_assets.h"

namespace vigie {

namespace {
constexpr const char* kImmutable = "public, max-age=31536000, immutable";
}  // namespace

Result<std::shared_ptr<const WebAssets>> WebAssets::Load(const std::string& override_dir) {
  Result<Assets> assets = Assets::Load(override_dir);
  if (!assets.ok()) return assets.status();
  Result<Messages> messages = Messages::Load(*assets);
  if (!messages.ok()) return messages.status();
  Result<Templates> templates = Templates::Load(*assets, *messages);
  if (!templates.ok()) return templates.status();
  auto web = std::make_shared<WebAssets>(WebAssets{std::move(assets).value(),
                                                   std::move(messages).value(),
                                                   std::move(templates).value(),
                                                   {},
                                                   {}});
  const auto content_type = [](const std::string& name) -> std::string {
    const auto ends = [&](std::string_view ext) {
      return name.size() >= ext.size() &&
             name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    return "application/octet-stream";
  };
  for (const std::string& path : web->assets.List("static/")) {
    const std::string name = path.substr(7);
    const std::string& bytes = *web->assets.Find(path);
    const std::string key = ContentHash(bytes).substr(0, 12) + "/" + name;
    web->statics[key] =
        MakeBody(content_type(name), bytes, Time{},
                 {{"Cache-Control", kImmutable}, {"X-Content-Type-Options", "nosniff"}});
    const std::string url = "/static/" + key;
    if (name == "vigie.css") web->urls.css = url;
    if (name == "vigie.js") web->urls.js = url;
    if (name == "logo.svg") web->urls.logo = url;
    if (name == "favicon.svg") web->urls.favicon = url;
    if (name == "admin.css") web->urls.admin_css = url;
    if (name == "admin.js") web->urls.admin_js = url;
  }
  if (web->urls.css.empty() || web->urls.js.empty() || web->urls.logo.empty() ||
      web->urls.favicon.empty() || web->urls.admin_css.empty() || web->urls.admin_js.empty()) {
    return Status::Invalid(
        "static/vigie.css, vigie.js, logo.svg, favicon.svg, admin.css and admin.js are required");
  }
  return std::shared_ptr<const WebAssets>(std::move(web));
}

}  // namespace vigie
