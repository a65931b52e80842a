// libFuzzer: the files an operator gives Vigie — vigie.toml, a scenario, a dump — each read
// by its real reader. FUZZ_FILE (set by CMake) picks which one this binary reads.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "app/config.h"
#include "app/importers.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace {

[[maybe_unused]] std::string WriteTemp(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/vigie-fuzz-" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

[[maybe_unused]] std::unique_ptr<vigie::Store> NewStore() {
  auto store = vigie::OpenStore("sqlite::memory:", vigie::StoreOptions{});
  if (!store.ok() || !(*store)->Migrate().ok()) __builtin_trap();
  return std::move(store).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie;
#if FUZZ_FILE == 1  // vigie.toml
  (void)LoadConfig(WriteTemp(data, size), {});
#elif FUZZ_FILE == 2  // a scenario, imported over the vendor's catalog
  static SystemClock clock;
  std::unique_ptr<Store> store = NewStore();
  Publisher publisher(*store, clock,
                      {Region{.id = "fr", .time_zone = "Europe/Paris"},
                       Region{.id = "na", .time_zone = "America/Toronto"}});
  if (!ImportCatalog(publisher, VIGIE_SOURCE_DIR "/catalog/divalto.toml", "fuzz").ok())
    __builtin_trap();
  (void)ImportScenario(publisher, WriteTemp(data, size), clock.Now(), "fuzz");
#elif FUZZ_FILE == 3  // a dump, as `vigie import dump` loads it
  std::unique_ptr<Store> store = NewStore();
  if (store->Import(std::string_view(reinterpret_cast<const char*>(data), size)).ok()) {
    // What was accepted is a whole database: it exports again.
    if (!store->Export().ok()) __builtin_trap();
  }
#endif
  return 0;
}
