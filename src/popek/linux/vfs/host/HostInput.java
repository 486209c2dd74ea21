package popek.linux.vfs.host;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * A container's standard input read from a host stream (without {@code -t}: a pipe from the host's). A daemon thread
 * reads the host stream only once the container first reads, buffers what arrives, and hands each arrival to the
 * kernel's thread ({@code post}), which wakes the readers.
 */
public final class HostInput extends FileDescription {
    private final InputStream in;
    private final Consumer<Runnable> post;
    private final WaitQueue queue = new WaitQueue();
    private final byte[] buffer = new byte[65536];
    private final java.lang.foreign.MemorySegment bufferSegment = java.lang.foreign.MemorySegment.ofArray(buffer);
    private int head, count;
    private boolean eof, started;

    public HostInput(InputStream in, Consumer<Runnable> post) {
        super(FileFlags.O_RDONLY);
        this.in = in;
        this.post = post;
    }

    private synchronized void startReader() {
        if (started) return;
        started = true;
        Thread.ofPlatform().daemon().name("popek-stdin").start(() -> {
            byte[] b = new byte[4096];
            for (;;) {
                int n;
                try {
                    n = in.read(b);
                } catch (IOException e) {
                    n = -1;
                }
                synchronized (this) {
                    if (n < 0) {
                        eof = true;
                    } else {
                        while (count + n > buffer.length) {   // the program is not reading: wait for room
                            try {
                                wait();
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        for (int i = 0; i < n; i++) buffer[(head + count + i) % buffer.length] = b[i];
                        count += n;
                    }
                }
                post.accept(() -> queue.notify(Events.POLLIN));
                if (n < 0) return;
            }
        });
    }

    @Override
    public int read(Caller c, UserBuffer dst) {
        startReader();
        synchronized (this) {
            if (count == 0) return eof ? 0 : -Errno.EAGAIN;
            int total = 0;
            while (count > 0 && dst.remaining() > 0) {
                int n = Math.min(count, Math.min(dst.remaining(), buffer.length - head));
                int moved = dst.copyOut(bufferSegment, head, n);
                head = (head + moved) % buffer.length;
                count -= moved;
                total += moved;
                if (moved < n) break;
            }
            notifyAll();
            return total;
        }
    }

    @Override
    public int readiness(int mask) {
        startReader();
        synchronized (this) {
            return mask & (count > 0 || eof ? Events.POLLIN | Events.POLLRDNORM : 0);
        }
    }

    @Override
    public WaitQueue waitQueue() { return queue; }

    @Override
    public int stat(Caller c, StatBuf out) {
        out.clear();
        out.mode = FileFlags.S_IFIFO | 0600;
        out.nlink = 1;
        out.ino = 1;
        return 0;
    }

    @Override
    public String path() { return "pipe:[1]"; }
}
