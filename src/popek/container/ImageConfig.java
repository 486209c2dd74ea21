package popek.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * The top layer of a built-in image: what installing the packages would have added besides their files (the
 * accounts base-passwd sets up, the links busybox --install and update-alternatives make), and the few files a
 * container expects (/etc/hostname, /etc/hosts, /root, /tmp). Every file gets one fixed time (Debian 12's release),
 * so an image built twice is the same.
 */
final class ImageConfig {
    private ImageConfig() { }

    /** 2023-06-10 00:00 UTC, the day Debian 12 was released. */
    private static final FileTime STAMP = FileTime.fromMillis(1_686_355_200_000L);

    static void write(String image, Path packages, Path config) throws IOException, Images.ImageException {
        if (image.equals("busybox")) busybox(packages, config);
        else debian(config);
        file(config, "etc/hostname", "popek\n", 0644);
        file(config, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", 0644);
        dir(config, "root", 0700);
        dir(config, "tmp", 01777);
        dir(config, "home", 0755);
        // Where the container's file systems are mounted, there in the image as in Docker's (and for a chroot of it).
        dir(config, "dev", 0755);
        dir(config, "proc", 0555);
        dir(config, "sys", 0555);
        dir(config, "run", 0755);
        if (image.equals("debian")) for (String d : List.of("mnt", "media", "opt", "srv", "boot")) dir(config, d, 0755);
        stamp(config);
    }

    private static void busybox(Path packages, Path config) throws IOException, Images.ImageException {
        file(config, "etc/passwd", """
                root:x:0:0:root:/root:/bin/sh
                daemon:x:1:1:daemon:/usr/sbin:/bin/false
                bin:x:2:2:bin:/bin:/bin/false
                sys:x:3:3:sys:/dev:/bin/false
                sync:x:4:100:sync:/bin:/bin/sync
                mail:x:8:8:mail:/var/spool/mail:/bin/false
                www-data:x:33:33:www-data:/var/www:/bin/false
                operator:x:37:37:Operator:/var:/bin/false
                nobody:x:65534:65534:nobody:/home:/bin/false
                """, 0644);
        file(config, "etc/group", """
                root:x:0:
                daemon:x:1:
                bin:x:2:
                sys:x:3:
                adm:x:4:
                tty:x:5:
                disk:x:6:
                lp:x:7:
                mail:x:8:
                kmem:x:9:
                wheel:x:10:root
                cdrom:x:11:
                dialout:x:18:
                floppy:x:19:
                video:x:28:
                audio:x:29:
                tape:x:32:
                www-data:x:33:
                operator:x:37:
                utmp:x:43:
                plugdev:x:46:
                staff:x:50:
                lock:x:54:
                netdev:x:82:
                users:x:100:
                nogroup:x:65534:
                """, 0644);
        // The applets, as "busybox --install -s" would link them: asked of busybox itself, run by Popek.
        String list = Images.runInside(List.of(packages), List.of("/bin/busybox", "--list-full"));
        for (String applet : list.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            if (applet.startsWith("/") || applet.contains("..") || applet.equals("bin/busybox")) continue;
            Path p = config.resolve(applet);
            if (!p.normalize().startsWith(config)) continue;
            Files.createDirectories(p.getParent());
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(p, Path.of("/bin/busybox"));
        }
    }

    private static void debian(Path config) throws IOException {
        file(config, "etc/passwd", """
                root:x:0:0:root:/root:/bin/bash
                daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                bin:x:2:2:bin:/bin:/usr/sbin/nologin
                sys:x:3:3:sys:/dev:/usr/sbin/nologin
                sync:x:4:65534:sync:/bin:/bin/sync
                games:x:5:60:games:/usr/games:/usr/sbin/nologin
                man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
                lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
                mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
                news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
                uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
                proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
                www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
                backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
                list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
                irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
                _apt:x:42:65534::/nonexistent:/usr/sbin/nologin
                nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                """, 0644);
        file(config, "etc/group", """
                root:x:0:
                daemon:x:1:
                bin:x:2:
                sys:x:3:
                adm:x:4:
                tty:x:5:
                disk:x:6:
                lp:x:7:
                mail:x:8:
                news:x:9:
                uucp:x:10:
                man:x:12:
                proxy:x:13:
                kmem:x:15:
                dialout:x:20:
                fax:x:21:
                voice:x:22:
                cdrom:x:24:
                floppy:x:25:
                tape:x:26:
                sudo:x:27:
                audio:x:29:
                dip:x:30:
                www-data:x:33:
                backup:x:34:
                operator:x:37:
                list:x:38:
                irc:x:39:
                src:x:40:
                shadow:x:42:
                utmp:x:43:
                video:x:44:
                sasl:x:45:
                plugdev:x:46:
                staff:x:50:
                games:x:60:
                users:x:100:
                nogroup:x:65534:
                """, 0644);
        // What update-alternatives and Debian's shell choice would leave (dash is not in the image: sh is bash).
        link(config, "bin/sh", "bash");
        link(config, "etc/alternatives/awk", "/usr/bin/mawk");
        link(config, "usr/bin/awk", "/etc/alternatives/awk");
        link(config, "etc/alternatives/nawk", "/usr/bin/mawk");
        link(config, "usr/bin/nawk", "/etc/alternatives/nawk");
    }

    private static void file(Path root, String path, String text, int mode) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setAttribute(p, "unix:mode", mode);
    }

    private static void dir(Path root, String path, int mode) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p);
        Files.setAttribute(p, "unix:mode", mode);
    }

    private static void link(Path root, String path, String target) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    /** Every entry of the layer gets {@link #STAMP} (links themselves, not their targets). */
    private static void stamp(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(STAMP, STAMP, null);
            }
        }
    }
}
