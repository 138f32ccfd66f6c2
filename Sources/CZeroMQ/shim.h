// ZeroMQ (Debian's libzmq3-dev, libzmq 4.3): the transport of every Jupyter socket.
// The Jupyter kernel (Sources/Jupyter) reaches its C API directly; nothing here is home-made.
#include <zmq.h>
