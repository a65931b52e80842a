#include "core/text_archive.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace vigie {
namespace {

// One process-wide archive: the whole life of one is a single test (ctest runs each test in a
// process of its own; run together, only this one opens it).
TEST(TextArchive, KeepsTextsInAnUnnamedFileAndRefusesWhenTheDiskDoes) {
  EXPECT_EQ(text_archive::Put("closed", ""), nullptr);  // no archive yet: the caller keeps it
  EXPECT_FALSE(text_archive::Read().open);

  char tmpl[] = "/tmp/vigie-text-archive-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  EXPECT_FALSE(text_archive::Open(dir + "/missing").ok());
  ASSERT_TRUE(text_archive::Open(dir).ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // nothing named: nothing left behind

  // Texts side by side, read where they lie, across a 32 MB step of the file and the
  // pages given back on the way.
  std::vector<std::pair<const char*, std::string>> put;
  for (int i = 0; i < 120000; ++i) {
    std::string fr = "Lenteurs sur le service n°" + std::to_string(i) + std::string(i % 700, 'x');
    std::string en = "Slowness on service #" + std::to_string(i);
    const char* p = text_archive::Put(fr, en);
    ASSERT_NE(p, nullptr) << i;
    put.emplace_back(p, fr + en);
  }
  uint64_t bytes = 0;
  for (const auto& [p, want] : put) {
    ASSERT_EQ(std::string_view(p, want.size()), want);
    bytes += want.size();
  }
  EXPECT_GT(bytes, uint64_t{32} << 20);
  text_archive::Usage u = text_archive::Read();
  EXPECT_TRUE(u.open);
  EXPECT_EQ(u.bytes, bytes);
  EXPECT_EQ(u.refused, 0u);

  // Blocks: whole pages, reused once given back; what is written stays readable after the
  // pages go back to the kernel (they are read again from the page cache).
  EXPECT_EQ(text_archive::AllocateBlock(1000), nullptr);  // not whole pages: the heap's
  const size_t kBlock = 32 << 10;
  char* block = static_cast<char*>(text_archive::AllocateBlock(kBlock));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 4096, 0u);
  std::memset(block, 'b', kBlock);
  text_archive::GiveBack();
  EXPECT_EQ(std::string_view(block, kBlock), std::string(kBlock, 'b'));
  EXPECT_EQ(std::string_view(put[0].first, put[0].second.size()), put[0].second);
  EXPECT_EQ(text_archive::Read().blocks, 1u);
  text_archive::FreeBlock(block, kBlock);
  EXPECT_EQ(text_archive::Read().blocks, 0u);
  EXPECT_EQ(text_archive::AllocateBlock(kBlock), block);  // reused
  text_archive::FreeBlock(block, kBlock);
  bytes = text_archive::Read().bytes;  // texts only

  // The kernel refuses to grow the file (a file size limit: as a full disk would): the text
  // is refused, nothing already put is touched, and the refusal is counted and said.
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit low = old;
  low.rlim_cur = bytes;  // below the next 32 MB step
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &low), 0);
  const std::string big(40 << 20, 'y');
  EXPECT_EQ(text_archive::Put(big, ""), nullptr);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
  u = text_archive::Read();
  EXPECT_EQ(u.refused, 1u);
  EXPECT_NE(u.last_error.find("the disk refused"), std::string::npos) << u.last_error;
  EXPECT_EQ(text_archive::Put(big, ""), nullptr);  // not tried again within the minute
  EXPECT_EQ(text_archive::Read().refused, 2u);
  for (const auto& [p, want] : put) ASSERT_EQ(std::string_view(p, want.size()), want);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigie
