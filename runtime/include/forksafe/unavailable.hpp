// forksafe::Unavailable: thrown by a handler when a service it depends on is down; App::handle
// answers 503 instead of 500 (forksafe::shared throws it when its Redis store cannot be reached).
#ifndef FORKSAFE_UNAVAILABLE_HPP
#define FORKSAFE_UNAVAILABLE_HPP

#include <stdexcept>

namespace forksafe {

class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace forksafe

#endif  // FORKSAFE_UNAVAILABLE_HPP
