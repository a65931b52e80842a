#include "notify/mail.h"

#include <sodium.h>

#include <array>

namespace vigie {

namespace {

bool PlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Drops CR and LF from a header value: nothing given can add a header.
std::string OneLine(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  return out;
}

std::string Base64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

// The mailbox with its display name encoded when it needs to be.
std::string EncodeMailbox(std::string_view mailbox) {
  const size_t lt = mailbox.find('<');
  if (lt == std::string_view::npos || lt == 0) return OneLine(mailbox);
  std::string_view name = mailbox.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string shown;
  if (PlainAscii(name) && name.find("=?") == std::string_view::npos) {
    shown = "\"";
    for (char ch : OneLine(name)) {
      if (ch == '"' || ch == '\\') shown.push_back('\\');
      shown.push_back(ch);
    }
    shown += "\"";
  } else {
    shown = EncodeHeader(name);
  }
  return shown + " " + OneLine(mailbox.substr(lt));
}

}  // namespace

std::string AddressOf(std::string_view mailbox) {
  const size_t lt = mailbox.find('<'), gt = mailbox.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) {
    return std::string(mailbox);
  }
  return std::string(mailbox.substr(lt + 1, gt - lt - 1));
}

std::string EncodeHeader(std::string_view text) {
  const std::string line = OneLine(text);
  // As is when plain ASCII, unless it looks like an encoded word a mail client would decode.
  if (PlainAscii(line) && line.find("=?") == std::string::npos) {
    // Folded at spaces so that no line is much over 76 characters (a word is never cut).
    std::string out;
    size_t col = 9;  // "Subject: "
    size_t start = 0;
    while (start <= line.size()) {
      size_t space = line.find(' ', start + 1);
      if (space == std::string::npos) space = line.size();
      const std::string_view word = std::string_view(line).substr(start, space - start);
      if (col + word.size() > 76 && !out.empty() && word.front() == ' ') {
        out += "\r\n";
        col = 0;
      }
      out += word;
      col += word.size();
      start = space;
      if (space == line.size()) break;
    }
    return out;
  }
  // Words of at most 39 bytes (52 in base64, 64 with the markers): with "Subject: " before
  // the first, every line stays under RFC 2047's 76 characters. Cut between characters; a
  // byte that is not valid UTF-8 is cut anywhere rather than looped on.
  constexpr size_t kWord = 39;
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t end = std::min(line.size(), i + kWord);
    while (end > i && end < line.size() && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (end == i) end = std::min(line.size(), i + kWord);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(line).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t col = 0;
  const auto put = [&](std::string_view piece) {
    if (col + piece.size() > 75) {
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\r\n";
      col = 0;
      continue;
    }
    if (c == '\r') continue;
    const bool last_on_line = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const bool plain =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last_on_line);
    // A dot at the start of a line stays as is: libcurl dot-stuffs the data.
    if (plain) {
      const char one[1] = {static_cast<char>(c)};
      put(std::string_view(one, 1));
    } else {
      const char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string ComposeMime(const MailMessage& m) {
  std::array<unsigned char, 12> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string boundary = "=_vigie_";
  for (unsigned char c : raw) {
    static constexpr char kHex[] = "0123456789abcdef";
    boundary.push_back(kHex[c >> 4]);
    boundary.push_back(kHex[c & 15]);
  }
  std::string out;
  const auto header = [&](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  std::string date = FormatHttpDate(m.date);  // "..., 15:30:00 GMT": RFC 5322 wants +0000
  if (date.size() > 4 && date.ends_with(" GMT")) date.replace(date.size() - 3, 3, "+0000");
  header("Date", date);
  header("From", EncodeMailbox(m.from));
  header("To", EncodeMailbox(m.to));
  if (!m.reply_to.empty()) header("Reply-To", EncodeMailbox(m.reply_to));
  header("Subject", EncodeHeader(m.subject));
  header("Message-ID", OneLine(m.message_id));
  if (!m.list_id.empty()) header("List-Id", OneLine(m.list_id));
  if (!m.unsubscribe.empty()) {
    header("List-Unsubscribe", "<" + OneLine(m.unsubscribe) + ">");
    header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  }
  header("Auto-Submitted", "auto-generated");
  header("MIME-Version", "1.0");
  header("Content-Type", "multipart/alternative;\r\n boundary=\"" + boundary + "\"");
  out += "\r\n";
  for (const auto& [type, body] :
       {std::pair<std::string_view, const std::string&>{"plain", m.text}, {"html", m.html}}) {
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/" + std::string(type) + "; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += QuotedPrintable(body);
    out += "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace vigie
