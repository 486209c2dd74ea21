package popek.linux.loader;

/** What the auxiliary vector tells a new program about its process: ids, the CPU's features, 16 random bytes. */
public record AuxInfo(int uid, int euid, int gid, int egid, int hwcap, boolean secure, byte[] random) { }
