// What the back-office's files (auth, pages, forms, api) share: the parsed form, the answers
// every back-office response is built from, and the logging of bookkeeping writes. Internal
// to admin/.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/web.h"
#include "core/status.h"
#include "domain/model.h"
#include "domain/subscriptions.h"
#include "http/message.h"
#include "store/store.h"

namespace vigie::admin {

using json = nlohmann::json;

Form ParseForm(std::string_view body);
// The first value of `key`, or "".
std::string Field(const Form& f, const std::string& key);
// Every value of `key` (checkboxes), in order.
std::vector<std::string> Fields(const Form& f, const std::string& key);
// The two languages of a text: PREFIX_fr and PREFIX_en.
Text TextOf(const Form& f, const std::string& prefix);
// The {id} of the path when it is a positive whole number.
std::optional<int64_t> IdParam(const http::Request& req);

// The headers of every back-office answer: a strict CSP, no framing, no caching.
void SecurityHeaders(http::Response& res);
http::Response JsonResponse(int status, const json& body);
// Writes whose failure the visitor need not wait for (bookkeeping), but an operator must see
// in the log: a dropped audit row or a session left behind is not silent.
void LogIfFailed(std::string_view what, const Status& st);
// A text in `lang`, or in the other language when it has none.
std::string L(const Text& t, Lang lang);

// A notice's delivery log: the notice (NotFound when absent), its deliveries (up to 1,000)
// and, with `with_emails` (admins only: an address is personal data), each one's address.
struct NoticeLog {
  Notice notice;
  std::vector<Delivery> deliveries;
  std::map<int64_t, std::string> emails;
};
Result<NoticeLog> ReadNoticeLog(Store& store, int64_t id, bool with_emails);

}  // namespace vigie::admin

namespace vigie {
// The back-office's files call these by their short names (this header is theirs only).
using admin::Field;
using admin::Fields;
using admin::Form;
using admin::IdParam;
using admin::json;
using admin::JsonResponse;
using admin::L;
using admin::LogIfFailed;
using admin::ParseForm;
using admin::ReadNoticeLog;
using admin::SecurityHeaders;
using admin::TextOf;
}  // namespace vigie
