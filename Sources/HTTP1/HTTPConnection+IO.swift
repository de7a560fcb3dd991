#if canImport(Glibc)
import Glibc
#endif
import WebhookSupport

/// The connection's socket work: reading, flushing output, and the staged close.
extension HTTPConnection {
    /// Reads once into the loop's buffer and hands the bytes to the decoder. A short read means the
    /// socket is drained (with edge-triggered epoll the next event says when more arrives), unless
    /// EPOLLRDHUP was reported: then the end of stream is still to be read and no edge will come for it.
    func read() {
        do {
            guard let count = try socket.receive(into: loop.readBuffer) else {
                mayRead = false
                return
            }
            if count == 0 {
                inputClosed = true
                mayRead = false
                return
            }
            decoder.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
            if count < loop.readBuffer.count && !readHangUpSeen { mayRead = false }
        } catch {
            // ECONNRESET and the like: the client is gone.
            loop.logger.debug("read failed", metadata: ["client.address": remoteAddress, "error": error.description])
            close()
        }
    }

    /// Sends pending output; true when all of it is sent, false when the socket is full (EPOLLOUT will
    /// resume it) or the connection closed on a write error.
    func flush() -> Bool {
        // The lines logged while answering go out before the answer (see `LogSink.holdLines()`).
        LogSink.writeHeldLines()
        while outputOffset < output.count {
            let result = output.withUnsafeBytes { bytes in
                Result { () throws(SystemCallError) in try socket.send(UnsafeRawBufferPointer(rebasing: bytes[outputOffset...])) }
            }
            let sent: Int?
            switch result {
            case .success(let count):
                sent = count
            case .failure(let error):
                // EPIPE, ECONNRESET: the client went away; nothing to tell anyone.
                loop.logger.debug("write failed", metadata: ["client.address": remoteAddress, "error": error.description])
                close()
                return false
            }
            guard let sent else { return false }
            outputOffset += sent
        }
        // Keep a normal buffer's storage for the next response; give back what a large body needed.
        if output.capacity > 128 * 1024 { output = [] } else { output.removeAll(keepingCapacity: true) }
        outputOffset = 0
        return true
    }

    /// After the last response: closes at once if the client already closed its side, else shuts our
    /// side and keeps reading until the client closes, so unread input cannot turn the close into a
    /// reset that destroys the response in flight (RFC 9112 §9.6).
    func closeAfterResponse() {
        if inputClosed {
            close()
            return
        }
        socket.shutdownOutput()
        lingering = true
        discardInput()
        if !isClosed { updateTimer() }
    }

    /// Reads and drops input while lingering; closes at end of stream or on error.
    func discardInput() {
        while mayRead {
            do {
                guard let count = try socket.receive(into: loop.readBuffer) else {
                    mayRead = false
                    return
                }
                if count == 0 {
                    close()
                    return
                }
            } catch {
                close()
                return
            }
        }
    }

    /// Closes the socket and leaves the loop's table; any response still with the responder is dropped
    /// when it completes.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        inFlight = nil
        deadline = nil
        socket.close()
        loop.removeConnection(self)
    }
}
