// Declarations-only stand-in for the hiredis Redis client.
#pragma once

#include <cstddef>

extern "C" {
#define REDIS_REPLY_STRING 1
#define REDIS_REPLY_INTEGER 3
#define REDIS_REPLY_NIL 4

typedef struct redisContext {
  int err;
  char errstr[128];
  int fd;
} redisContext;

typedef struct redisReply {
  int type;
  long long integer;
  std::size_t len;
  char* str;
} redisReply;

redisContext* redisConnect(const char* ip, int port);
void* redisCommand(redisContext* c, const char* format, ...);
void freeReplyObject(void* reply);
void redisFree(redisContext* c);
}
