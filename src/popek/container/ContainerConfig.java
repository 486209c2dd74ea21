package popek.container;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code popek run} asks for: the layers of the root file system (host directories, the top one first, under a
 * private writable layer), the command, its environment, working directory and user, and whether to report
 * statistics. Docker's meanings.
 */
public record ContainerConfig(List<Path> layers, List<String> command, List<String> env, String workdir, int uid, int gid,
                              boolean interactive, boolean tty, boolean stats, long memoryBytes) {
    /** Docker's default PATH for a container. */
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    public static final long DEFAULT_MEMORY = 1L << 30;
}
