#include "store/sql.h"

#include <cctype>

namespace vigie::sql {

Result<int64_t> Stmt::OneInt() {
  if (!Step()) return status().ok() ? Status::Internal("the statement gave no row") : status();
  const int64_t v = Int(0);
  VIGIE_RETURN_IF_ERROR(Run());
  return v;
}

std::string NumberedParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
    out += '$';
    if (j > i + 1) {
      out.append(sql.substr(i + 1, j - i - 1));
      i = j - 1;
    } else {
      out += std::to_string(next++);
    }
  }
  return out;
}

}  // namespace vigie::sql
