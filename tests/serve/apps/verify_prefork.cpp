// App used by the --verify tests: with --preload its init code leaves a thread and a connected UDP
// socket in the master, which pre-fork inspection must list.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <forksafe/app.hpp>
#include <thread>

FORKSAFE_APP(app) {
  app.on_init([] {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(9);  // discard; UDP connect sends nothing
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer);
    std::thread pinger([] {
      ::pthread_setname_np(::pthread_self(), "prefork-pinger");
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    });
    pinger.detach();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it name itself
  });
  app.get("/", [](const forksafe::Request&) { return forksafe::Response::text("ok\n"); });
}
