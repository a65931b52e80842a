// The back-office pages: templates/admin_*.mustache filled with JSON data, inside the admin
// layout (no inline script, so a strict Content-Security-Policy holds).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "render/messages.h"
#include "render/pages.h"

namespace vigie {

struct AdminPageView {
  const Messages& messages;
  const Templates& templates;
  const StaticUrls& statics;
  const Text& site_name;
  Lang lang;
  std::string user;  // signed-in user's name, empty on the login page
  std::string role;  // "admin" / "editor"
  std::string csrf;  // the session's token, put in every form
  std::string here;  // the page's own address (a path under /admin), for the language switch
  // A banner at the top of the page when not empty: the database cannot be reached.
  std::string outage;
};

// Renders templates/`name`.mustache with `data` (objects, arrays, strings, numbers, booleans;
// everything escaped) plus t (the message catalog), csrf and user.
std::string RenderAdminPage(const AdminPageView& v, std::string_view name,
                            const nlohmann::json& data, const std::string& title);

}  // namespace vigie
