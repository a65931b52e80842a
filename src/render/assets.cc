#include "render/assets.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigie {

Result<Assets> Assets::Load(const std::string& override_dir) {
  Assets a;
  for (size_t i = 0; i < embedded::kFileCount; ++i) {
    const auto& f = embedded::kFiles[i];
    a.files_.emplace(f.path, std::string(f.data, f.size));
  }
  if (override_dir.empty()) return a;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(override_dir, ec)) {
    return Status::Invalid("the assets override directory " + override_dir + " does not exist");
  }
  for (auto it = fs::recursive_directory_iterator(override_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string rel = fs::relative(it->path(), override_dir).generic_string();
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::Unavailable("cannot read " + it->path().string());
    a.files_[rel] = text.str();
  }
  if (ec) return Status::Unavailable("cannot list " + override_dir + ": " + ec.message());
  return a;
}

const std::string* Assets::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::vector<std::string> Assets::List(std::string_view prefix) const {
  std::vector<std::string> out;
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->first);
  }
  return out;
}

}  // namespace vigie
