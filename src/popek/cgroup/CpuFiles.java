package popek.cgroup;

import java.util.List;
import java.util.function.Predicate;

import popek.linux.abi.Errno;

/**
 * The cpu controller's files, backed by {@link CpuControl}: cpu.weight (1..10000, ERANGE outside), cpu.weight.nice
 * (-20..19 through the scheduler's nice-to-weight table), cpu.max ("$MAX $PERIOD", "max" for no limit, one number
 * changing only $MAX), and cpu.stat (which every cgroup has; the bandwidth counters only where cpu is enabled).
 */
final class CpuFiles {
    private CpuFiles() { }

    /** Linux's sched_prio_to_weight: the load weight of nice -20 .. 19 (nice 0 is 1024). */
    static final int[] NICE_WEIGHT = {
        88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
        110, 87, 70, 56, 45, 36, 29, 23, 18, 15};
    /** The largest quota tg_set_cfs_bandwidth accepts: 2^44 - 1 us. */
    private static final long MAX_QUOTA_USEC = (1L << 44) - 1;

    static void add(List<ControlFile> out) {
        Predicate<Cgroup> cpu = cg -> cg.has(Controller.CPU);
        out.add(ControlFile.readWrite("cpu.max", cpu, CpuFiles::max, CpuFiles::setMax));
        out.add(ControlFile.readOnly("cpu.stat", CoreFiles.ALL, CpuFiles::stat));
        out.add(ControlFile.readWrite("cpu.weight", cpu, (cg, f) -> cg.cpu().weight() + "\n", CpuFiles::setWeight));
        out.add(ControlFile.readWrite("cpu.weight.nice", cpu, (cg, f) -> nice(cg.cpu().weight()) + "\n", CpuFiles::setNice));
    }

    private static String max(Cgroup cg, OpenFile f) {
        CpuControl c = cg.cpu();
        return Values.limit(c.quotaUsec(), CpuControl.NO_QUOTA) + " " + c.periodUsec() + "\n";
    }

    /** cpu_period_quota_parse: sscanf(buf, "%20s %llu"), the token "max" or a number, the period kept if absent. */
    private static void setMax(Cgroup cg, String s, OpenFile f) {
        int i = 0;
        while (i < s.length() && Values.space(s.charAt(i))) i++;
        int start = i;
        while (i < s.length() && !Values.space(s.charAt(i)) && i - start < 20) i++;
        if (i == start) throw Errno.error(Errno.EINVAL);
        String token = s.substring(start, i);
        long period = cg.cpu().periodUsec();
        long[] p = Values.scanUnsigned(s, i);
        if (p != null) period = p[1];
        long quota;
        long[] q = Values.scanUnsigned(token, 0);
        if (q != null) quota = q[1];
        else if (token.equals("max")) quota = CpuControl.NO_QUOTA;
        else throw Errno.error(Errno.EINVAL);
        if (quota != CpuControl.NO_QUOTA && (quota < 0 || quota > MAX_QUOTA_USEC)) throw Errno.error(Errno.EINVAL);
        try {
            cg.cpu().setMax(quota, period);
        } catch (IllegalArgumentException e) {
            throw Errno.error(Errno.EINVAL);
        }
    }

    private static void setWeight(Cgroup cg, String s, OpenFile f) {
        long w = Values.kstrtoull(s);
        if (w < CpuControl.MIN_WEIGHT || w > CpuControl.MAX_WEIGHT) throw Errno.error(Errno.ERANGE);
        cg.cpu().setWeight((int) w);
    }

    private static void setNice(Cgroup cg, String s, OpenFile f) {
        long nice = Values.kstrtoll(s);
        if (nice < -20 || nice > 19) throw Errno.error(Errno.ERANGE);
        // The load weight of that nice, as a cgroup weight (1024 is 100), rounded to the closest.
        long w = (NICE_WEIGHT[(int) nice + 20] * 100L + 512) / 1024;
        cg.cpu().setWeight((int) Math.max(CpuControl.MIN_WEIGHT, Math.min(CpuControl.MAX_WEIGHT, w)));
    }

    /** The nice whose load weight is closest to cgroup weight {@code weight} (the first of two equally close). */
    static int nice(int weight) {
        long load = (weight * 1024L + 50) / 100;
        int best = 0;
        for (int i = 1; i < NICE_WEIGHT.length; i++) if (Math.abs(NICE_WEIGHT[i] - load) < Math.abs(NICE_WEIGHT[best] - load)) best = i;
        return best - 20;
    }

    private static String stat(Cgroup cg, OpenFile f) {
        CpuControl c = cg.cpu();
        StringBuilder b = new StringBuilder();
        b.append("usage_usec ").append(c.usageUsec.get()).append('\n');
        b.append("user_usec ").append(c.userUsec.get()).append('\n');
        b.append("system_usec ").append(c.systemUsec.get()).append('\n');
        if (cg.has(Controller.CPU)) {
            b.append("nr_periods ").append(c.nrPeriods.get()).append('\n');
            b.append("nr_throttled ").append(c.nrThrottled.get()).append('\n');
            b.append("throttled_usec ").append(c.throttledUsec.get()).append('\n');
            b.append("nr_bursts 0\nburst_usec 0\n");
        }
        return b.toString();
    }
}
