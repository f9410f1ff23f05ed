import Batch
import Dispatch
import Foundation

/// SIGTERM and SIGINT caught rather than fatal, from here to the end of the process: `handler`
/// runs once, with the first of them, on a thread of its own (it may block on the network);
/// a second signal ends the process at once (unless `repeatEndsAtOnce` says no, or it is a
/// SIGHUP). The handler ends the process with
/// `StopSignals.die(by:)` when it has done its work, or returns to let the process go on.
/// (On Linux the dispatch sources block the signals in the threads' masks, so there is no
/// going back to the default action short of `die(by:)`, which unblocks its own thread.)
///
/// `@unchecked Sendable`: `sources` is written only in `init`; `fired` only under `lock`.
final class StopSignals: @unchecked Sendable {
    static let caught: [Int32] = [SIGTERM, SIGINT]

    private let queue = DispatchQueue(label: "labourmatch.stop-signals")
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var fired = false

    /// `repeatEndsAtOnce`: whether a second signal ends the process at once (not once the
    /// work is done: the process is about to report it and exit).
    init(signals: [Int32] = caught, repeatEndsAtOnce: @escaping @Sendable () -> Bool = { true },
         _ handler: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            // A signal the process was started ignoring stays ignored (nohup's SIGHUP; SIGINT
            // and SIGQUIT of a shell's background job): catching it would stop what its
            // starter meant to go on.
            var inherited = sigaction()
            if sigaction(number, nil, &inherited) == 0,
               let handler = inherited.__sigaction_handler.sa_handler, unsafeBitCast(handler, to: Int.self) == 1 {
                continue
            }
            signal(number, SIG_IGN)   // the dispatch source gets it instead of the default death
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                lock.lock()
                let first = !fired
                fired = true
                lock.unlock()
                if first {
                    DispatchQueue.global().async { handler(number) }
                } else if number != SIGHUP, repeatEndsAtOnce() {
                    // A hangup is never insistence: a closed ssh session sends SIGHUP twice (the
                    // kernel to the foreground group, the shell to its jobs).
                    Console.errorWithin(
                        "labourmatch: \(Self.name(number)) after a first stop signal: ending at once\n")
                    Self.die(by: number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// How long after a first stop signal a command ends at the latest, whether or not its work
    /// could be recorded (a database that does not answer holds a statement for ever).
    static let budget: Double = 30

    /// Runs `body` once `budget` has passed since now (the first signal): it checks whether the
    /// process still waits, and if so says why and ends it by the signal.
    static func afterBudget(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + budget, execute: body)
    }

    /// `SIGTERM`, `SIGINT`, `SIGHUP` or `SIGQUIT`.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        case SIGQUIT: return "SIGQUIT"
        default: return "SIGTERM"
        }
    }

    /// Ends the process by `number` with its default action, so that a shell or a scheduler
    /// sees what it sent end the process (status 128 + the signal, 143 for SIGTERM).
    static func die(by number: Int32) -> Never {
        signal(number, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(number)
        Thread.sleep(forTimeInterval: 1)
        _exit(128 + number)   // not reached unless the signal was held up
    }

}
