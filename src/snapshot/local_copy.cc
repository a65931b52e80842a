#include "snapshot/local_copy.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "core/files.h"
#include "core/log.h"
#include "core/priority.h"
#include "core/text_archive.h"
#include "snapshot/snapshot.h"

namespace vigie {

namespace {

// The file: kMagic, the format's version, when it was saved, the payload's length and CRC-32,
// then the payload. Bump kFormat whenever the model's fields or the enums' order change: a
// copy of another format is ignored, not misread.
constexpr std::string_view kMagic = "VIGIE-STATE\n";
constexpr uint32_t kFormat = 1;

// Integers as LEB128 varints (signed ones zigzagged), strings as a length and their bytes.
class Encoder {
 public:
  std::string out;
  // Where the bytes go as they pile up (nothing: all stay in `out`), and its first error.
  std::function<Status(std::string_view)> sink;
  Status status;
  // Hands what is encoded to the sink once there is enough of it.
  void Spill(bool all = false) {
    constexpr size_t kPiece = 1u << 20;
    if (!sink || (!all && out.size() < kPiece)) return;
    if (status.ok()) status = sink(out);
    out.clear();
  }
  void U(uint64_t v) {
    while (v >= 0x80) {
      out += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out += static_cast<char>(v);
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void S(std::string_view s) {
    U(s.size());
    out.append(s);
  }
  void T(const Text& t) {
    S(t.fr());
    S(t.en());
  }
  void At(Time t) { I(ToUnix(t)); }
  void OptAt(const std::optional<Time>& t) {
    U(t ? 1 : 0);
    if (t) At(*t);
  }
  void OptI(const std::optional<int64_t>& v) {
    U(v ? 1 : 0);
    if (v) I(*v);
  }
  void List(const std::vector<std::string>& v) {
    U(v.size());
    for (const std::string& s : v) S(s);
  }
  template <typename E>
  void Enum(E e) {
    U(static_cast<uint64_t>(e));
  }
};

// The reverse; the first read past the end, or an enum out of its range, makes it bad.
class Decoder {
 public:
  // `release(upto)`, when given, is told as reading passes each kReleaseStep bytes: the bytes
  // before `upto` are not read again.
  explicit Decoder(std::string_view in, std::function<void(size_t)> release = {})
      : in_(in), release_(std::move(release)) {}
  static constexpr size_t kReleaseStep = 4 << 20;
  bool bad() const { return bad_; }
  bool done() const { return pos_ == in_.size(); }
  uint64_t U() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Bad();
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Bad();
  }
  int64_t I() {
    const uint64_t z = U();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string S() { return std::string(V()); }
  // A string where it lies in the input (valid while the input is).
  std::string_view V() {
    const uint64_t n = U();
    if (n > in_.size() - pos_) return Bad(), std::string_view();
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    if (release_ && pos_ >= next_release_) {  // strings are most of the bytes
      release_(pos_);
      next_release_ = pos_ + kReleaseStep;
    }
    return s;
  }
  Text T() {
    std::string_view fr = V();
    std::string_view en = V();
    return Text::Stored(fr, en);
  }
  Time At() { return FromUnix(I()); }
  std::optional<Time> OptAt() {
    if (!U()) return std::nullopt;
    return At();
  }
  std::optional<int64_t> OptI() {
    if (!U()) return std::nullopt;
    return I();
  }
  std::vector<std::string> List() {
    std::vector<std::string> v(Count());
    for (std::string& s : v) s = S();
    return v;
  }
  template <typename E>
  E Enum(E last) {
    const uint64_t v = U();
    if (v > static_cast<uint64_t>(last)) Bad();
    return static_cast<E>(bad_ ? 0 : v);
  }
  // A number of items: never more than bytes left (each item takes one at least).
  size_t Count() {
    const uint64_t n = U();
    if (n > in_.size() - pos_) return Bad(), 0;
    return n;
  }

 private:
  uint64_t Bad() {
    bad_ = true;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool bad_ = false;
  std::function<void(size_t)> release_;
  size_t next_release_ = kReleaseStep;
};

void EncodeInto(Encoder& e, const Model& m) {
  e.I(m.seq);
  e.S(m.generation);
  e.U(m.platforms.size());
  for (const Platform& p : m.platforms) {
    e.S(p.slug);
    e.I(p.position);
    e.T(p.name);
    e.T(p.category);
    e.T(p.description);
    e.List(p.products);
  }
  e.U(m.services.size());
  for (const Service& s : m.services) {
    e.I(s.id);
    e.S(s.platform);
    e.S(s.slug);
    e.I(s.position);
    e.T(s.name);
    e.T(s.information);
    e.T(s.impact);
    e.U(s.retired);
    e.At(s.created_at);
  }
  e.U(m.manual_levels.size());
  for (const ManualLevel& l : m.manual_levels) {
    e.S(l.region);
    e.I(l.service_id);
    e.Enum(l.level);
    e.At(l.set_at);
    e.S(l.note);
  }
  e.U(m.overrides.size());
  for (const GlobalOverride& o : m.overrides) {
    e.S(o.region);
    e.S(o.platform);
    e.Enum(o.level);
    e.At(o.set_at);
    e.S(o.note);
  }
  e.U(m.events.size());
  for (const Event& ev : m.events) {
    e.I(ev.id);
    e.Enum(ev.kind);
    e.S(ev.platform);
    e.List(ev.regions);
    e.T(ev.title);
    e.T(ev.body);
    e.U(ev.impacts.size());
    for (const Impact& i : ev.impacts) {
      e.I(i.service_id);
      e.Enum(i.level);
    }
    e.At(ev.starts_at);
    e.OptAt(ev.ends_at);
    e.Enum(ev.phase);
    e.U(ev.cancelled);
    e.At(ev.created_at);
    e.At(ev.updated_at);
    e.I(ev.revision);
    e.S(ev.updated_by);
    e.U(ev.updates.size());
    for (const EventUpdate& u : ev.updates) {
      e.I(u.id);
      e.At(u.at);
      e.Enum(u.phase);
      e.T(u.text);
    }
    e.Spill();
  }
  e.U(m.messages.size());
  for (const Message& msg : m.messages) {
    e.I(msg.id);
    e.S(msg.platform);
    e.List(msg.regions);
    e.T(msg.title);
    e.T(msg.body);
    e.At(msg.published_at);
    e.OptAt(msg.expires_at);
  }
  e.U(m.status_changes.size());
  for (const StatusChange& c : m.status_changes) {
    e.I(c.id);
    e.S(c.region);
    e.S(c.platform);
    e.OptI(c.service_id);
    e.Enum(c.from);
    e.Enum(c.to);
    e.At(c.at);
    e.Enum(c.cause);
    e.OptI(c.event_id);
    e.S(c.note);
    e.Spill();
  }
  e.Spill(/*all=*/true);
}

Result<Model> Decode(std::string_view payload, std::function<void(size_t)> release = {}) {
  Decoder d(payload, std::move(release));
  Model m;
  m.seq = d.I();
  m.generation = d.S();
  m.platforms.resize(d.Count());
  for (Platform& p : m.platforms) {
    p.slug = d.S();
    p.position = static_cast<int>(d.I());
    p.name = d.T();
    p.category = d.T();
    p.description = d.T();
    p.products = d.List();
  }
  m.services.resize(d.Count());
  for (Service& s : m.services) {
    s.id = d.I();
    s.platform = d.S();
    s.slug = d.S();
    s.position = static_cast<int>(d.I());
    s.name = d.T();
    s.information = d.T();
    s.impact = d.T();
    s.retired = d.U() != 0;
    s.created_at = d.At();
  }
  m.manual_levels.resize(d.Count());
  for (ManualLevel& l : m.manual_levels) {
    l.region = d.S();
    l.service_id = d.I();
    l.level = d.Enum(Level::kOutage);
    l.set_at = d.At();
    l.note = d.S();
  }
  m.overrides.resize(d.Count());
  for (GlobalOverride& o : m.overrides) {
    o.region = d.S();
    o.platform = d.S();
    o.level = d.Enum(Level::kOutage);
    o.set_at = d.At();
    o.note = d.S();
  }
  for (size_t n = d.Count(); n > 0 && !d.bad(); --n) {
    Event ev;
    ev.id = d.I();
    ev.kind = d.Enum(EventKind::kAnnouncement);
    ev.platform = d.S();
    ev.regions = d.List();
    ev.title = d.T();
    ev.body = d.T();
    ev.impacts.resize(d.Count());
    for (Impact& i : ev.impacts) {
      i.service_id = d.I();
      i.level = d.Enum(Level::kOutage);
    }
    ev.starts_at = d.At();
    ev.ends_at = d.OptAt();
    ev.phase = d.Enum(Phase::kResolved);
    ev.cancelled = d.U() != 0;
    ev.created_at = d.At();
    ev.updated_at = d.At();
    ev.revision = d.I();
    ev.updated_by = d.S();
    ev.updates.resize(d.Count());
    for (EventUpdate& u : ev.updates) {
      u.id = d.I();
      u.at = d.At();
      u.phase = d.Enum(Phase::kResolved);
      u.text = d.T();
    }
    m.events.push_back(std::move(ev));
  }
  m.messages.resize(d.Count());
  for (Message& msg : m.messages) {
    msg.id = d.I();
    msg.platform = d.S();
    msg.regions = d.List();
    msg.title = d.T();
    msg.body = d.T();
    msg.published_at = d.At();
    msg.expires_at = d.OptAt();
  }
  for (size_t n = d.Count(); n > 0 && !d.bad(); --n) {
    StatusChange c;
    c.id = d.I();
    c.region = d.S();
    c.platform = d.S();
    c.service_id = d.OptI();
    c.from = d.Enum(Level::kOutage);
    c.to = d.Enum(Level::kOutage);
    c.at = d.At();
    c.cause = d.Enum(CauseKind::kOverride);
    c.event_id = d.OptI();
    c.note = d.S();
    m.last_change_id = std::max(m.last_change_id, c.id);
    m.status_changes.push_back(std::move(c));
  }
  if (d.bad() || !d.done()) return Status::Invalid("its content does not read as a saved state");
  return m;
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t GetLE(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

}  // namespace

Status LocalCopy::Write(const std::string& path, const Model& model, Time saved_at) {
  constexpr uint64_t kGiveBackEvery = uint64_t{4} << 20;
  // Written as it is encoded (at 100,000 events the state is 200 MB: held whole, and grown by
  // doubling, it was most of a write's time and doubled the node's memory); the head, which
  // holds the payload's length and checksum, is completed at the end.
  Result<AtomicFile> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  const auto head = [&](uint64_t length, uint32_t crc) {
    std::string h(kMagic);
    PutU32(h, kFormat);
    PutU64(h, static_cast<uint64_t>(ToUnix(saved_at)));
    PutU64(h, length);
    PutU32(h, crc);
    return h;
  };
  VIGIE_RETURN_IF_ERROR(file->Append(head(0, 0)));
  uint64_t length = 0;
  uLong crc = crc32(0L, Z_NULL, 0);
  Encoder e;
  e.sink = [&](std::string_view piece) {
    // The history's texts and changes live in the text archive: the pages just encoded go
    // back to the page cache, so that a copy does not bring all of them into memory at once.
    if ((length + piece.size()) / kGiveBackEvery != length / kGiveBackEvery) {
      text_archive::GiveBack();
    }
    length += piece.size();
    crc = crc32(crc, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size()));
    return file->Append(piece);
  };
  EncodeInto(e, model);
  VIGIE_RETURN_IF_ERROR(e.status);
  VIGIE_RETURN_IF_ERROR(file->WriteAt(0, head(length, static_cast<uint32_t>(crc))));
  return file->Commit();
}

namespace {
// A file mapped read-only, whose pages already read can be given back as reading goes: a
// start from a copy of 130 MB (100,000 events) then holds a few MB of it beside the model it
// builds, not all of it.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::NotFound(path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
      ::close(fd);
      return Status::Invalid(path + " is empty");
    }
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) return Status::Unavailable("cannot map " + path);
    return std::unique_ptr<MappedFile>(new MappedFile(p, static_cast<size_t>(st.st_size)));
  }
  ~MappedFile() { ::munmap(data_, size_); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }
  // The pages wholly before byte `upto` leave the process (read again from the file if
  // ever touched).
  void Release(size_t upto) {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t end = std::min(upto, size_) / page * page;
    if (end > released_) {
      ::madvise(static_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
      released_ = end;
    }
  }
  void Rewind() { released_ = 0; }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
  size_t released_ = 0;
};
}  // namespace

Result<LocalCopy::Saved> LocalCopy::Read(const std::string& path) {
  Result<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
  if (!file.ok()) {
    if (file.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("no local copy of the state at " + path);
    }
    return Status::Invalid("the local copy of the state " + path +
                           " cannot be used: " + file.status().message());
  }
  MappedFile& mapped = **file;
  const std::string_view data = mapped.view();
  const size_t head = kMagic.size() + 4 + 8 + 8 + 4;
  const auto damaged = [&](const std::string& why) {
    return Status::Invalid("the local copy of the state " + path + " cannot be used: " + why);
  };
  if (data.size() < head || std::string_view(data).substr(0, kMagic.size()) != kMagic) {
    return damaged("it is not a Vigie state copy");
  }
  size_t at = kMagic.size();
  if (const uint64_t format = GetLE(data, at, 4); format != kFormat) {
    return damaged("it has format " + std::to_string(format) + ", this Vigie reads format " +
                   std::to_string(kFormat));
  }
  const Time saved_at = FromUnix(static_cast<int64_t>(GetLE(data, at + 4, 8)));
  const uint64_t length = GetLE(data, at + 12, 8);
  const auto crc = static_cast<uint32_t>(GetLE(data, at + 20, 4));
  const std::string_view payload = data.substr(head);
  if (payload.size() != length) return damaged("it is damaged (length)");
  {
    // The checksum first, a few MB at a time, each given back once summed.
    uLong sum = crc32(0L, Z_NULL, 0);
    for (size_t at = 0; at < payload.size(); at += Decoder::kReleaseStep) {
      const size_t n = std::min(payload.size() - at, Decoder::kReleaseStep);
      sum = crc32(sum, reinterpret_cast<const Bytef*>(payload.data() + at), static_cast<uInt>(n));
      mapped.Release(head + at + n);
    }
    if (static_cast<uint32_t>(sum) != crc) return damaged("it is damaged (checksum)");
  }
  mapped.Rewind();
  Result<Model> m = Decode(payload, [&](size_t upto) { mapped.Release(head + upto); });
  if (!m.ok()) return damaged(m.status().message());
  return Saved{std::move(m).value(), saved_at};
}

LocalCopy::LocalCopy(std::string path) : path_(std::move(path)) {
  thread_ = std::thread([this] { Loop(); });
}

LocalCopy::~LocalCopy() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LocalCopy::Offer(std::shared_ptr<const Snapshot> snap) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(snap);
  }
  cv_.notify_all();
}

void LocalCopy::Loop() {
  // Below the requests and the writes: the copy is a safety net, not on anyone's path.
  LowerThreadPriority();
  bool failing = false;  // say a failure once, and once when it works again
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || pending_; });
    if (!pending_) return;  // stopping, nothing left to write
    std::shared_ptr<const Snapshot> snap = std::move(pending_);
    pending_.reset();
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    const Status st = Write(path_, snap->model(), snap->as_of());
    const auto took = std::chrono::steady_clock::now() - started;
    if (!st.ok() && !failing) LogError("the local copy of the state is not saved: " + st.message());
    if (st.ok() && failing) LogInfo("the local copy of the state is saved again");
    failing = !st.ok();
    snap.reset();  // the snapshot's memory goes here, not under the lock
    lock.lock();
    // A busy site publishes faster than a large state is written: the next copy waits at least
    // kRestFactor times as long as this one took (a few ms on a small site, seconds at 100,000
    // events), so copying takes at most a fifth of a core. Meanwhile a newer state replaces
    // the one waiting; stopping writes it at once.
    cv_.wait_for(lock, took * kRestFactor, [&] { return stopping_; });
  }
}

}  // namespace vigie
