package popek.linux.tty;

import popek.linux.abi.Signals;

/**
 * Linux's N_TTY line discipline for one terminal, without the kernel around it: the bytes typed at the terminal go in
 * ({@link #receive}), are translated (ISTRIP, IUCLC, IGNCR, ICRNL, INLCR), turned into signals for the foreground
 * process group (ISIG: INTR, QUIT, SUSP), into flow control (IXON: START, STOP, IXANY), edited into lines (ICANON:
 * ERASE, WERASE, KILL, EOF, EOL, EOL2, LNEXT, REPRINT) and echoed (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL,
 * ECHOPRT) as drivers/tty/n_tty.c does it; programs take them with {@link #read}. Output goes through the
 * {@link OutputProcessor}. Single-threaded: the kernel's thread calls it.
 */
final class LineDiscipline {
    /** What the discipline needs from the terminal around it. */
    interface Port extends OutputProcessor.Sink {
        /** Sends {@code sig} to the terminal's foreground process group. */
        void signal(int sig);

        /** Output was started again (^Q, TCOON): writers may go on. */
        void outputStarted();
    }

    private final Termios termios;
    private final Port port;
    private final InputQueue queue = new InputQueue();
    private final OutputProcessor out;
    private boolean canonical;
    /** The next byte is taken literally (after LNEXT). */
    private boolean lnext;
    /** ECHOPRT: inside a "\erased/" run. */
    private boolean erasing;
    /** Output stopped by the STOP character, or by TCOOFF (which only TCOON undoes). */
    private boolean stopped, tcoStopped;

    LineDiscipline(Termios termios, Port port) {
        this.termios = termios;
        this.port = port;
        this.out = new OutputProcessor(termios, port);
        this.canonical = termios.lflag(Termios.ICANON);
    }

    // ---------------------------------------------------------------- state for readers and writers

    boolean canonical() { return canonical; }

    boolean outputStopped() { return stopped; }

    /** input_available_p: a canonical line is complete, or (raw) at least {@code amount} bytes are there. */
    boolean readable(int amount) { return canonical ? queue.hasLine() : queue.committed() >= Math.max(1, amount); }

    /** Raw-mode bytes waiting. */
    int available() { return queue.committed(); }

    /** FIONREAD. */
    int inputCount() { return canonical ? queue.canonicalCount() : queue.committed(); }

    /** Room for more typed bytes: n_tty takes input while one byte is left (or overwrites in a full canonical line). */
    boolean acceptsInput() { return queue.free() > 1 || (canonical && !queue.hasLine()); }

    /**
     * Takes the next line (canonical) or the waiting bytes (raw), at most {@code len}. Call only when
     * {@link #readable} says there is something; returns the count, 0 for an end of file.
     */
    int read(byte[] dst, int off, int len) {
        return canonical ? queue.readLine(dst, off, len) : queue.readRaw(dst, off, len);
    }

    // ---------------------------------------------------------------- settings and flushing

    /** TCSETS*: the new settings are in place ({@code old}: the ones before). */
    void settingsChanged(Termios old) {
        boolean nowCanonical = termios.lflag(Termios.ICANON);
        if (nowCanonical != canonical) {
            if (nowCanonical) queue.pushAsLine();
            else queue.commitAll();
            erasing = false;
            lnext = false;
            canonical = nowCanonical;
        }
        if (!termios.iflag(Termios.IXON) && (old.iflag & Termios.IXON) != 0 && !tcoStopped) start();
    }

    /** TCIFLUSH, or a signal character without NOFLSH. */
    void flushInput() {
        queue.clear();
        lnext = false;
        erasing = false;
    }

    /** TCXONC: TCOOFF (0), TCOON (1), TCIOFF (2), TCION (3). */
    void flowControl(int action) {
        switch (action) {
            case 0 -> {
                tcoStopped = true;
                stopped = true;
            }
            case 1 -> {
                tcoStopped = false;
                start();
            }
            case 2 -> { if (termios.cc(Termios.VSTOP) != 0) out.sendRaw(termios.cc(Termios.VSTOP)); }
            default -> { if (termios.cc(Termios.VSTART) != 0) out.sendRaw(termios.cc(Termios.VSTART)); }
        }
    }

    private void start() {
        if (!stopped) return;
        stopped = false;
        out.flushEchoes();
        port.outputStarted();
    }

    // ---------------------------------------------------------------- output

    /** How many bytes a program's write would surely be taken now (0: stopped, echoes waiting, or no room). */
    int writable() { return stopped || !out.flushEchoes() ? 0 : out.capacity(); }

    /** A program writes: bytes taken (0: stopped by ^S, or no room until the other end reads). */
    int write(byte[] src, int off, int len) { return stopped ? 0 : out.write(src, off, len); }

    /** Sends echoes that did not fit before; true when none is left. */
    boolean flushEchoes() { return !stopped && out.flushEchoes(); }

    // ---------------------------------------------------------------- input

    /** Bytes typed at the terminal: returns how many were taken (the rest must wait for a reader to make room). */
    int receive(byte[] b, int off, int len) {
        int taken = 0;
        while (taken < len) {
            int free = queue.free();
            if (free <= 1) {
                if (!canonical || queue.hasLine()) break;
                if (free == 0) queue.unput();   // a full line: the next byte replaces the last (it may end the line)
            }
            receiveByte(b[off + taken] & 0xFF);
            taken++;
        }
        if (!stopped) out.flushEchoes();
        return taken;
    }

    private void receiveByte(int c) {
        if (termios.iflag(Termios.ISTRIP)) c &= 0x7F;
        if (termios.iflag(Termios.IUCLC) && termios.lflag(Termios.IEXTEN) && c >= 'A' && c <= 'Z') c += 32;
        if (lnext) {
            lnext = false;
            ordinary(c);
            return;
        }
        if (c != 0 && mapped(c)) special(c);
        else ordinary(c);
    }

    private boolean is(int c, int index) { return c == termios.cc(index); }

    /**
     * n_tty's char_map: the bytes the current settings may give a meaning, which take the special path (and a newline
     * that took it is echoed as a newline, where an ordinary one echoes as ^J under ECHOCTL).
     */
    private boolean mapped(int c) {
        Termios t = termios;
        if (c == '\r' && (t.iflag(Termios.IGNCR) || t.iflag(Termios.ICRNL))) return true;
        if (c == '\n' && (t.iflag(Termios.INLCR) || canonical)) return true;
        if (canonical && (is(c, Termios.VERASE) || is(c, Termios.VKILL) || is(c, Termios.VEOF) || is(c, Termios.VEOL))) return true;
        if (canonical && t.lflag(Termios.IEXTEN) && (is(c, Termios.VWERASE) || is(c, Termios.VLNEXT) || is(c, Termios.VEOL2)
                || (t.lflag(Termios.ECHO) && is(c, Termios.VREPRINT)))) return true;
        if (t.iflag(Termios.IXON) && (is(c, Termios.VSTART) || is(c, Termios.VSTOP))) return true;
        return t.lflag(Termios.ISIG) && (is(c, Termios.VINTR) || is(c, Termios.VQUIT) || is(c, Termios.VSUSP));
    }

    /** n_tty_receive_char_special. */
    private void special(int c) {
        if (termios.iflag(Termios.IXON)) {
            if (is(c, Termios.VSTART)) {
                start();
                return;
            }
            if (is(c, Termios.VSTOP)) {
                stopped = true;
                return;
            }
        }
        if (termios.lflag(Termios.ISIG)) {
            int sig = is(c, Termios.VINTR) ? Signals.SIGINT : is(c, Termios.VQUIT) ? Signals.SIGQUIT
                    : is(c, Termios.VSUSP) ? Signals.SIGTSTP : 0;
            if (sig != 0) {
                signalCharacter(sig, c);
                return;
            }
        }
        if (stopped && !tcoStopped && termios.iflag(Termios.IXON) && termios.iflag(Termios.IXANY)) start();
        if (c == '\r') {
            if (termios.iflag(Termios.IGNCR)) return;
            if (termios.iflag(Termios.ICRNL)) c = '\n';
        } else if (c == '\n' && termios.iflag(Termios.INLCR)) {
            c = '\r';
        }
        if (!canonical || !canonicalSpecial(c)) queueAndEcho(c, true);
    }

    /** The editing characters of canonical mode: true when {@code c} was one (and is handled). */
    private boolean canonicalSpecial(int c) {
        boolean extended = termios.lflag(Termios.IEXTEN), echo = termios.lflag(Termios.ECHO);
        if (is(c, Termios.VERASE) || is(c, Termios.VKILL) || (is(c, Termios.VWERASE) && extended)) {
            erase(c);
        } else if (is(c, Termios.VLNEXT) && extended) {
            lnext = true;
            if (echo) {
                finishErasing();
                if (termios.lflag(Termios.ECHOCTL)) {
                    out.echoRaw('^');
                    out.echoRaw('\b');
                }
            }
        } else if (is(c, Termios.VREPRINT) && echo && extended) {
            finishErasing();
            out.echo(c);
            out.echoRaw('\n');
            for (int i = 0; i < queue.lineLength(); i++) out.echo(queue.lineByte(i));
        } else if (c == '\n') {
            if (echo || termios.lflag(Termios.ECHONL)) out.echoRaw('\n');
            queue.putDelimiter('\n', false);
        } else if (is(c, Termios.VEOF)) {
            queue.putDelimiter(0, true);
        } else if (is(c, Termios.VEOL) || (is(c, Termios.VEOL2) && extended)) {
            if (echo) {
                if (queue.lineEmpty()) out.canonColumn = out.column;
                out.echo(c);
            }
            if (c == 0377 && termios.iflag(Termios.PARMRK)) queue.put(c);
            queue.putDelimiter(c, false);
        } else {
            return false;
        }
        return true;
    }

    /** n_tty_receive_char: an ordinary byte, echoed and queued. */
    private void ordinary(int c) {
        if (stopped && !tcoStopped && termios.iflag(Termios.IXON) && termios.iflag(Termios.IXANY)) start();
        queueAndEcho(c, false);
    }

    /** Echoes and queues {@code c}; a newline that came the special way echoes as a newline, not ^J. */
    private void queueAndEcho(int c, boolean viaSpecial) {
        if (termios.lflag(Termios.ECHO)) {
            finishErasing();
            if (viaSpecial && c == '\n') {
                out.echoRaw('\n');
            } else {
                if (queue.lineEmpty()) out.canonColumn = out.column;
                out.echo(c);
            }
        }
        if (c == 0377 && termios.iflag(Termios.PARMRK)) queue.put(c);
        queue.put(c);
        if (!canonical) queue.commitAll();
    }

    /** INTR, QUIT or SUSP: the signal, a flush unless NOFLSH, and the character echoed (^C). */
    private void signalCharacter(int sig, int c) {
        if (!termios.lflag(Termios.NOFLSH)) {
            out.dropEchoes();
            flushInput();
        }
        port.signal(sig);
        if (termios.iflag(Termios.IXON)) start();
        if (termios.lflag(Termios.ECHO)) out.echo(c);
    }

    private void finishErasing() {
        if (erasing) {
            out.echoRaw('/');
            erasing = false;
        }
    }

    /** n_tty's eraser: ERASE (one character), WERASE (a word) or KILL (the line), and their echoes. */
    private void erase(int c) {
        if (queue.lineEmpty()) return;
        boolean echo = termios.lflag(Termios.ECHO);
        int kind = is(c, Termios.VERASE) ? 0 : is(c, Termios.VWERASE) ? 1 : 2;
        if (kind == 2) {
            if (!echo) {
                queue.killLine();
                return;
            }
            if (!termios.lflag(Termios.ECHOK) || !termios.lflag(Termios.ECHOKE) || !termios.lflag(Termios.ECHOE)) {
                queue.killLine();
                finishErasing();
                out.echo(c);
                if (termios.lflag(Termios.ECHOK)) out.echoRaw('\n');
                return;
            }
        }
        int seenAlnums = 0;
        while (!queue.lineEmpty()) {
            int cnt = 0, ch;
            do {   // one character, with its UTF-8 continuation bytes
                cnt++;
                ch = queue.peekBack(cnt);
            } while (out.continuation(ch) && cnt < queue.lineLength());
            if (out.continuation(ch)) break;   // never half a character
            if (kind == 1) {
                if (Character.isLetterOrDigit(ch) && ch < 128 || ch == '_') seenAlnums++;
                else if (seenAlnums > 0) break;
            }
            int[] removed = new int[cnt];
            for (int i = 0; i < cnt; i++) removed[i] = queue.peekBack(cnt - i);
            for (int i = 0; i < cnt; i++) queue.unput();
            if (echo) echoErase(kind, ch, removed);
            if (kind == 0) break;
        }
        if (queue.lineEmpty() && echo) finishErasing();
    }

    private void echoErase(int kind, int ch, int[] bytes) {
        if (termios.lflag(Termios.ECHOPRT)) {
            if (!erasing) {
                out.echoRaw('\\');
                erasing = true;
            }
            out.echo(ch);
            for (int i = 1; i < bytes.length; i++) {
                out.echoRaw(bytes[i]);
                out.moveBackColumn();
            }
        } else if (kind == 0 && !termios.lflag(Termios.ECHOE)) {
            out.echo(termios.cc(Termios.VERASE));
        } else if (ch == '\t') {
            // The columns the tab took: count what precedes it back to the line start or the previous tab.
            int columns = 0;
            boolean afterTab = false;
            for (int i = queue.lineLength() - 1; i >= 0; i--) {
                int p = queue.lineByte(i);
                if (p == '\t') {
                    afterTab = true;
                    break;
                } else if (OutputProcessor.isControl(p)) {
                    if (termios.lflag(Termios.ECHOCTL)) columns += 2;
                } else if (!out.continuation(p)) {
                    columns++;
                }
            }
            if (!afterTab) columns += out.canonColumn;
            out.echoBackspaces(8 - (columns & 7));
        } else {
            // ^X took two columns; a control character echoed as itself took none.
            boolean control = OutputProcessor.isControl(ch), echoctl = termios.lflag(Termios.ECHOCTL);
            int times = control ? (echoctl ? 2 : 0) : 1;
            for (int i = 0; i < times; i++) {
                out.echoRaw('\b');
                out.echoRaw(' ');
                out.echoRaw('\b');
            }
        }
    }
}
