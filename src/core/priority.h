// Background threads that no request waits for (the local copy, the static mirror, mail and
// webhook senders) run below the requests and the writes: they take what the cores leave,
// and never slow the site down when it is most read.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

namespace vigie {

// The calling thread at nice 10 (threads it starts inherit it). Best effort.
inline void LowerThreadPriority() {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
}

}  // namespace vigie
