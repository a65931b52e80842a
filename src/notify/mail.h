// An e-mail as sent: headers (RFC 5322, with RFC 2047 encoded words for non-ASCII subjects
// and names), a multipart/alternative body of text and HTML, both quoted-printable UTF-8, and
// the list headers of RFC 2369 and RFC 8058 (one-click unsubscribe). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"

namespace vigie {

struct MailMessage {
  std::string from;         // "Statut <status@example.com>" or an address
  std::string to;           // an address
  std::string reply_to;     // optional
  std::string subject;      // UTF-8
  std::string text, html;   // UTF-8 bodies
  std::string message_id;   // "<...@host>", the same for every attempt of one delivery
  std::string list_id;      // "<status.example.com>" (optional)
  std::string unsubscribe;  // an https URL that unsubscribes with a POST (optional)
  Time date{};
};

// The message in wire form (CRLF line ends, lines under 78 characters, 7-bit).
std::string ComposeMime(const MailMessage& m);

// `text` as an RFC 2047 header value: as is when printable ASCII, else =?UTF-8?B?...?= words
// folded under 76 characters.
std::string EncodeHeader(std::string_view text);
// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks under 76 characters.
std::string QuotedPrintable(std::string_view text);
// The address in "Name <addr>" or "addr".
std::string AddressOf(std::string_view mailbox);

}  // namespace vigie
