package popek.container.images;

import java.util.List;

/**
 * The {@code debian} image: a small Debian 12 i386 root from the .debs of libc6, bash, coreutils, grep, sed, findutils,
 * mawk, procps, tar, gzip and base-files and what they depend on (found through the archive's Depends fields; debconf
 * and dpkg left out, as nothing here runs them), each pinned. The dynamic-linking workload of Popek's kernel.
 */
final class DebianImage {
    private DebianImage() { }

    static final BuiltinImage IMAGE = new BuiltinImage("debian", List.of(
            "libc6=2.36-9+deb12u14@76b12e06be66ec3fc2c1791d7d8cf34c2b828ed210e3913feeeb8edc9688f820",
            "bash=5.2.15-2+b13@025f4331ef8df81aafb8fd3bd730e10be3604a981df11f2850d2250784609c06",
            "coreutils=9.1-1@96a9a385f03210b2b9037d04c9ec1869eb215be791b9083d60856711014017aa",
            "grep=3.8-5@b0919c25ae9b6aae86e357fd99480cd5e800a4b831ff4399ee7ebbac52235c2f",
            "sed=4.9-1+deb12u1@2743cbbe3fe82ef1a4b7e5541d0fa75661f1cba8889072853dd08a53d0e3fb10",
            "findutils=4.9.0-4@c6564248def88eaaac4eb1684fe18c0259f2ab8be3e8d4e65c25ecb21d82591d",
            "mawk=1.3.4.20200120-3.1@ee5989ba3a3a5813a49f668e62c211d3ea72d5467683de098d1182cb5bbebd7e",
            "procps=2:4.0.2-3@bea90d77501fb0208ddff935572988e35adf397c30457a4cb5412ba7f889b92a",
            "tar=1.34+dfsg-1.2+deb12u1@5fb059f253237802ed229f5f77255722cc1761955a3d433621956a15d06b5d17",
            "gzip=1.12-1@8920e4e2a58539a078d7eeeae169ce546fd790d514c74a45c0c4066fab1f7e29",
            "base-files=12.4+deb12u15@95ab24c65cd128e5773bfa3d41b489dd5158f9081e6b757ac854d3820d721456",
            "libtinfo6=6.4-4@d6de1d8daeadda8ba57f86d42273919fba9e57f699036b7c51062d91778f4a16",
            "debianutils=5.7-0.5~deb12u1@718d51f15988377a33a7e83ed1190f50e3fd5a027db06c50a2c1aa178f879538",
            "libacl1=2.3.1-3@82d8cb6778124d48b33c2a06e729fc5cdac972e4f72e57855e002787c9296e54",
            "libattr1=1:2.5.1-4@e064db901d4389a2dcad96b491137e933fd3598083077f78850c703074916261",
            "libgmp10=2:6.2.1+dfsg1-1.1@996d31008cebdda7acb16431b70b8c2021fd0da544ec643597b172b6a7707e48",
            "libselinux1=3.4-1+b6@1af838cdb8342802e3fdbf334f75c42d3027246bcec72f2c2ca26a996014f143",
            "libpcre2-8-0=10.42-1@f5485ecd3a5ba7bdb7de1cb502165f20fd7e1f7b9a4988ab7bdb89c58aa1596b",
            "libncursesw6=6.4-4@9e453156a8a8374f64402ce7e4d4e15c65bf7186534530b39210ff68936aa020",
            "libproc2-0=2:4.0.2-3@040c8b0e5ee965982eb84aa99cb40ac182fa4978385280339c8967235cf2583b",
            "libsystemd0=252.39-1~deb12u2@0b28141a9c39a6be717b1e561d61cf8301a740182f480a246d4664e3aec52a41",
            "libcap2=1:2.66-4+deb12u3+b1@ec2df8503ee282fa5ca129cb0272bb2b0c05b9969aa8568bca567ab62bca15ad",
            "libgcrypt20=1.10.1-3+deb12u1@737d4f16368232608bfa2320fc6a12420062ca43d0b7fce0158d8f49ccd3bc46",
            "liblz4-1=1.9.4-1@6ca34fa9139be02a118dd22b969f34018fc4628b02acd1d21c4621d16057ac6a",
            "liblzma5=5.4.1-1+deb12u1@5b3fb8a53da0f5b1ec1181be94d39a8508db02465ec4421df12ad4c0d76924f3",
            "libzstd1=1.5.4+dfsg2-5@b9009648837c1fa095ca3b79eec3e6358df3946dd0a70c0f66ec3558695af8d5",
            "libgpg-error0=1.46-1@9e4109555b4971a2466bdda6fdc3ca90d47a1d0c4b8d7f11ad5720d0e0028392"), false);

    /** Links dpkg's maintainer scripts would make (update-alternatives): awk is mawk. */
    static final List<String[]> LINKS = List.of(new String[] {"usr/bin/awk", "mawk"}, new String[] {"bin/sh", "bash"});
}
