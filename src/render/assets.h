// The site's templates, message catalogs and static files. All are compiled into the binary
// (assets/ → embedded); an override directory may replace any of them by a file of the same
// relative path (branding: logo, colours, texts). Immutable after Load; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigie {

namespace embedded {
struct EmbeddedFile {
  const char* path;
  const char* data;
  size_t size;
};
extern const EmbeddedFile kFiles[];
extern const size_t kFileCount;
}  // namespace embedded

class Assets {
 public:
  // The embedded files, each replaced by `override_dir`/PATH when that file exists. Files of
  // the override directory that are not embedded are added too (a logo of one's own).
  static Result<Assets> Load(const std::string& override_dir);

  // nullptr when absent.
  const std::string* Find(std::string_view path) const;
  // Every path starting with `prefix`, sorted.
  std::vector<std::string> List(std::string_view prefix) const;

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace vigie
