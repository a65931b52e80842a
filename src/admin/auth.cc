// Who is calling: sessions for the pages (login, CSRF, idle and absolute expiry, throttled
// guesses), bearer tokens for the JSON API.
#include "admin/parts.h"
#include "admin/web.h"
#include "core/log.h"
#include "render/escape.h"

namespace vigie {

namespace {

constexpr const char* kLoginCsrfCookie = "vigie_login_csrf";

// Where a login may send the operator afterwards: a back-office path of this site.
bool SafeAdminNext(std::string_view next) {
  return http::IsLocalTarget(next) &&
         (next == "/admin" || next.rfind("/admin/", 0) == 0 || next.rfind("/admin?", 0) == 0);
}

std::string Cookie(const http::Request& req, std::string_view name) {
  return std::string(req.Cookie(name));
}

}  // namespace

std::string AdminWeb::SessionCookieName() const {
  return options_.secure_cookies ? "__Host-vigie_session" : "vigie_session";
}

Lang AdminWeb::LangOf(const http::Request& req) const {
  // As the public site chooses (cookie, then Accept-Language), French by default.
  return ParseLang(http::PreferredLanguage(req, "vigie_lang", {"fr", "en"})).value_or(Lang::kFr);
}

std::function<http::Response(http::Request&)> AdminWeb::Page(Role role, Handler handler) {
  return [this, role, handler](http::Request& req) -> http::Response {
    const Lang lang = LangOf(req);
    // After a form, the language switch leads back to the page, not to the form's action.
    const bool get = req.method == "GET" || req.method == "HEAD";
    const std::string here = get ? req.target : std::string("/admin/");
    const std::string id = Cookie(req, SessionCookieName());
    const Time now = clock_.Now();
    std::optional<Session> session;
    std::optional<User> user;
    if (!id.empty()) {
      Result<std::optional<Session>> s = store_.FindSession(HashSecret(id));
      if (!s.ok()) return Unreachable(Caller{.lang = lang, .here = here}, s.status());
      if (*s) {
        const bool expired = now - (*s)->last_seen_at > options_.idle_timeout ||
                             now - (*s)->created_at > options_.absolute_timeout;
        if (expired) {
          LogIfFailed("delete an expired session",
                      store_.Write([&](StoreTx& tx) { return tx.DeleteSession((*s)->id_hash); }));
        } else {
          Result<std::optional<User>> u = store_.FindUserById((*s)->user_id);
          if (!u.ok()) return Unreachable(Caller{.lang = lang, .here = here}, u.status());
          if (*u && !(*u)->disabled) {
            session = *s;
            user = **u;
          }
        }
      }
    }
    if (!session) {
      if (get) return Back("/admin/login?next=" + QueryEscape(req.target));
      Caller anonymous{.lang = lang, .here = here};
      return Html(anonymous, 401, "admin_message",
                  json{{"message", assets().messages.Get(lang, "admin.session_expired")},
                       {"link", "/admin/login"}},
                  assets().messages.Get(lang, "admin.login"));
    }
    Caller caller{user->name, user->role, session->csrf, session->id_hash, lang, here};
    if (!get) {
      const Form form = ParseForm(req.body);
      if (!ConstantTimeEquals(Field(form, "csrf"), session->csrf)) {
        LogWarn("admin: CSRF token missing or wrong for " + user->name + " on " + req.path);
        return Html(
            caller, 403, "admin_message",
            json{{"message", assets().messages.Get(lang, "admin.csrf")}, {"link", "/admin/"}},
            assets().messages.Get(lang, "admin.refused"));
      }
    }
    if (role == Role::kAdmin && user->role != Role::kAdmin) {
      return Html(
          caller, 403, "admin_message",
          json{{"message", assets().messages.Get(lang, "admin.admins_only")}, {"link", "/admin/"}},
          assets().messages.Get(lang, "admin.refused"));
    }
    if (now - session->last_seen_at > std::chrono::seconds(60)) {  // at most one write a minute
      LogIfFailed("note a session's use", store_.Write([&](StoreTx& tx) {
        return tx.TouchSession(session->id_hash, now);
      }));
    }
    return handler(req, caller);
  };
}

std::function<http::Response(http::Request&)> AdminWeb::Api(Role role, Handler handler) {
  return [this, role, handler](http::Request& req) -> http::Response {
    std::string_view auth = req.Header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.substr(0, kBearer.size()) != kBearer) {
      http::Response res =
          http::JsonError(Status::Unauthenticated("send Authorization: Bearer TOKEN"));
      res.Set("WWW-Authenticate", "Bearer");
      return res;
    }
    Result<std::optional<ApiToken>> t = store_.FindToken(HashSecret(auth.substr(kBearer.size())));
    if (!t.ok()) return http::JsonError(t.status());
    if (!*t || (*t)->revoked_at) {
      http::Response res = http::JsonError(Status::Unauthenticated("unknown or revoked token"));
      res.Set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return res;
    }
    if (role == Role::kAdmin && (*t)->role != Role::kAdmin) {
      return http::JsonError(Status::PermissionDenied("this token is not an admin token"));
    }
    const Time now = clock_.Now();
    if (!(*t)->last_used_at || now - *(*t)->last_used_at > std::chrono::seconds(60)) {
      LogIfFailed("note a token's use",
                  store_.Write([&](StoreTx& tx) { return tx.TouchToken((*t)->id, now); }));
    }
    Caller caller{"token:" + (*t)->name, (*t)->role, "", "", Lang::kEn};
    return handler(req, caller);
  };
}

http::Response AdminWeb::LoginForm(http::Request& req) {
  Caller anonymous{.lang = LangOf(req), .here = req.target};
  const std::string token = RandomToken(24);
  anonymous.csrf = token;
  std::string next = req.Query("next").value_or("/admin/");
  if (!SafeAdminNext(next)) next = "/admin/";
  http::Response res = Html(anonymous, 200, "admin_login", json{{"next", next}},
                            assets().messages.Get(anonymous.lang, "admin.login"));
  // Before a session exists, the form's token is checked against this cookie (double submit).
  res.Set("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + token +
                            "; Path=/admin; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

http::Response AdminWeb::Login(http::Request& req) {
  const Lang lang = LangOf(req);
  const Form form = ParseForm(req.body);
  const std::string name = Field(form, "name");
  const std::string password = Field(form, "password");
  std::string next = Field(form, "next");
  if (!SafeAdminNext(next)) next = "/admin/";
  const auto refuse = [&](int status, const std::string& key) {
    Caller anonymous{.lang = lang, .here = "/admin/login?next=" + QueryEscape(next)};
    const std::string token = RandomToken(24);
    anonymous.csrf = token;
    http::Response res =
        Html(anonymous, status, "admin_login",
             json{{"next", next}, {"name", name}, {"error", assets().messages.Get(lang, key)}},
             assets().messages.Get(lang, "admin.login"));
    res.Set("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + token +
                              "; Path=/admin; HttpOnly; SameSite=Strict" +
                              (options_.secure_cookies ? "; Secure" : ""));
    return res;
  };
  const std::string cookie = Cookie(req, kLoginCsrfCookie);
  if (cookie.empty() || !ConstantTimeEquals(cookie, Field(form, "csrf")))
    return refuse(403, "admin.csrf");
  const Time now = clock_.Now();
  if (!throttle_.Allowed(name, req.remote, now)) return refuse(429, "admin.throttled");
  Result<std::optional<User>> user = store_.FindUser(name);
  if (!user.ok()) return refuse(503, "admin.unavailable");
  bool ok = false;
  if (*user && !(*user)->disabled) {
    ok = VerifyPassword((*user)->password_hash, password);
  } else {
    VerifyNothing(password);  // the same time and the same answer as a wrong password
  }
  if (!ok) {
    throttle_.Failed(name, req.remote, now);
    LogWarn("admin: failed login for \"" + name + "\" from " + req.remote);
    return refuse(401, "admin.bad_login");
  }
  throttle_.Succeeded(name, req.remote);
  // A new session id at every login.
  const std::string id = RandomToken(32);
  Session s{HashSecret(id), (*user)->id, RandomToken(32), now, now};
  Status st = store_.Write([&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.CreateSession(s));
    return tx.InsertAudit(now, (*user)->name, "session.login", "from " + req.remote);
  });
  if (!st.ok()) return refuse(503, "admin.unavailable");
  http::Response res = Back(next);
  res.Set("Set-Cookie", SessionCookieName() + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

http::Response AdminWeb::Logout(http::Request& req, const Caller& c) {
  const Time now = clock_.Now();
  LogIfFailed("sign " + c.name + " out", store_.Write([&](StoreTx& tx) -> Status {
    VIGIE_RETURN_IF_ERROR(tx.DeleteSession(c.session_hash));
    return tx.InsertAudit(now, c.name, "session.logout", "from " + req.remote);
  }));
  http::Response res = Back("/admin/login");
  res.Set("Set-Cookie", SessionCookieName() + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                            (options_.secure_cookies ? "; Secure" : ""));
  return res;
}

}  // namespace vigie
