// kainjow's mustache for the renderers of pages and of the back-office: each template is
// parsed once, when the templates load, and rendered from any thread with layers of data (a
// page's own over what every page of a language shares). Kept out of the other headers.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>

namespace vigie {

using Data = kainjow::mustache::data;

class ParsedTemplate {
 public:
  // Values are written escaped for HTML ({{{x}}} writes them as they are).
  explicit ParsedTemplate(const std::string& source);

  bool valid() const { return tmpl_.is_valid(); }
  const std::string& error() const { return tmpl_.error_message(); }

  // `data` rendered; a name it lacks is looked up in `below` when given (a dotted name too).
  // Thread-safe: kainjow's render is not const, but on a parsed template it writes only its
  // error message, for a lambda or a partial that fails; the renderers pass no lambda, and
  // partials are written into the templates when they load.
  std::string Render(const Data& data, const Data* below = nullptr) const;

 private:
  mutable kainjow::mustache::mustache tmpl_;
};

// What every page's templates may read, per language: the message catalog as t.section.key,
// and the legend of the levels.
struct CommonData {
  Data by_lang[2];
};

}  // namespace vigie
