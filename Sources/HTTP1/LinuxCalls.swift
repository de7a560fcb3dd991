#if canImport(Glibc)
import Glibc
#endif

/// The Linux calls that Glibc's Swift module does not import (`<sys/epoll.h>`, `<sys/eventfd.h>` and
/// `accept4`, which needs `_GNU_SOURCE`), with their kernel ABI constants. The package gives HTTP1 no C
/// shim, so each symbol is looked up once with `dlsym` and called through a C function pointer: the C
/// calling convention, no guessing at Swift's.
enum LinuxCalls {
    /// `int epoll_create1(int flags)`.
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    /// `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`.
    typealias EpollControl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    /// `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`.
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    /// `int eventfd(unsigned int initval, int flags)`.
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    /// `int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)`.
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

    /// `epoll_create1`.
    static let epollCreate1: EpollCreate1 = resolve("epoll_create1")
    /// `epoll_ctl`.
    static let epollControl: EpollControl = resolve("epoll_ctl")
    /// `epoll_wait`.
    static let epollWait: EpollWait = resolve("epoll_wait")
    /// `eventfd`.
    static let eventFD: EventFD = resolve("eventfd")
    /// `accept4`.
    static let accept4: Accept4 = resolve("accept4")

    /// `EPOLLIN`: readable.
    static let epollIn: UInt32 = 0x001
    /// `EPOLLOUT`: writable.
    static let epollOut: UInt32 = 0x004
    /// `EPOLLERR`: error pending.
    static let epollError: UInt32 = 0x008
    /// `EPOLLHUP`: both directions shut.
    static let epollHangUp: UInt32 = 0x010
    /// `EPOLLRDHUP`: the peer shut its writing side.
    static let epollReadHangUp: UInt32 = 0x2000
    /// `EPOLLEXCLUSIVE` (Linux 4.5): of several epoll instances watching one file, wake one (or a few).
    static let epollExclusive: UInt32 = 1 << 28
    /// `EPOLLET`: edge-triggered.
    static let epollEdgeTriggered: UInt32 = 1 << 31
    /// `EPOLL_CTL_ADD`.
    static let epollAdd: Int32 = 1
    /// `EPOLL_CTL_DEL`.
    static let epollDelete: Int32 = 2
    /// `EPOLL_CLOEXEC` and `EFD_CLOEXEC`, both `O_CLOEXEC`.
    static let closeOnExec: Int32 = O_CLOEXEC
    /// `EFD_NONBLOCK`, which is `O_NONBLOCK`.
    static let eventNonBlocking: Int32 = O_NONBLOCK

    /// Size of `struct epoll_event`: packed to 12 bytes on x86-64, naturally aligned to 16 elsewhere.
    #if arch(x86_64)
    static let epollEventSize = 12
    /// Offset of `epoll_event.data`.
    static let epollEventDataOffset = 4
    #else
    /// Size of `struct epoll_event`.
    static let epollEventSize = 16
    /// Offset of `epoll_event.data`.
    static let epollEventDataOffset = 8
    #endif

    /// The C function named `name` in the running process, as `Function`.
    private static func resolve<Function>(_ name: String) -> Function {
        // A null handle is RTLD_DEFAULT: search the global scope, where libc is.
        guard let symbol = dlsym(nil, name) else { fatalError("the C library has no \(name)") }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
