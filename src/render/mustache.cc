#include "render/mustache.h"

#include "render/escape.h"

namespace vigie {

ParsedTemplate::ParsedTemplate(const std::string& source) : tmpl_(source) {
  tmpl_.set_custom_escape([](const std::string& s) { return EscapeMarkup(s); });
}

std::string ParsedTemplate::Render(const Data& data, const Data* below) const {
  kainjow::mustache::context<std::string> ctx;
  if (below) ctx.push(below);
  ctx.push(&data);  // looked up first
  return tmpl_.render(ctx);
}

}  // namespace vigie
