import { join } from 'node:path';
import type { MachineKind } from '../../src/inbound/machine-mail.js';

/** The machine-mail corpus (test/fixtures/bounces/README.md): 213 real reports and auto-replies. */
export const BOUNCES_DIR = join(import.meta.dirname, '../fixtures/bounces');

/**
 * What each mail of the corpus is, written by reading it (its Final-Recipient fields, or the
 * report's own text above the returned copy), never by recording the classifier's output.
 * `recipients`: the failed addresses the report names, in order; `null` where the report names
 * none that is a mail address we could check (a pipe, a mailbox file, a bare local part), or
 * where its MIME structure is broken so that no text reaches us (said beside it).
 */
export interface ExpectedMachineMail {
  kind: MachineKind;
  recipients?: string[] | null;
}

const failure = (...recipients: string[]): ExpectedMachineMail => ({ kind: 'delivery-failure', recipients });
const unreadable: ExpectedMachineMail = { kind: 'delivery-failure', recipients: null };
const delayed: ExpectedMachineMail = { kind: 'delivery-delayed' };
const feedback = (...recipients: string[]): ExpectedMachineMail => ({ kind: 'feedback-report', recipients });

export const EXPECTED: Record<string, ExpectedMachineMail> = {
  // RFC 5965 feedback reports (Original-Rcpt-To where given); arf-22..24 are old Hotmail
  // complaints, plain mail around the reported message, named "complaint about message from <IP>".
  'arf-01.eml': feedback(), 'arf-02.eml': feedback('this-local-part-does-not-exist-on-yahoo@yahoo.com'), 'arf-11.eml': feedback(), 'arf-12.eml': feedback(),
  'arf-14.eml': feedback('kijitora@y.example.com'), 'arf-15.eml': feedback(), 'arf-16.eml': feedback('kijitora@example.com', 'sironeko@example.com', 'mikeneko@example.com', 'sabatora@example.com', 'sirokiji@example.org', 'kuroneko@example.com', 'sabineko@example.com'), 'arf-17.eml': feedback('kijitora@example.com', 'sabatora@example.net'),
  'arf-18.eml': feedback('kijitora@example.com'), 'arf-19.eml': feedback(), 'arf-20.eml': feedback(), 'arf-21.eml': feedback(),
  'arf-22.eml': feedback(), 'arf-23.eml': feedback(), 'arf-24.eml': feedback(), 'arf-25.eml': feedback('hashed@example.com'),
  // Apple Mail's one-click unsubscribe, Auto-Submitted: auto-replied.
  'arf-26.eml': { kind: 'auto-reply' },
  'lhost-activehunter-01.eml': failure('kijitora@example.org'),
  'lhost-activehunter-02.eml': failure('kijitora@example.ed.jp'),
  // From post_master, "Error: Invalid user address ... 550": a failure notice, but its multipart
  // boundary parameter sits on an unindented line, so no text part reaches the parser; what is
  // left is a postmaster who wrote nothing readable.
  'lhost-apachejames-01.eml': { kind: 'auto-generated' },
  'lhost-barracuda-01.eml': failure('kijitora@example.org'),
  'lhost-barracuda-02.eml': failure('kijitora@example.jp'),
  'lhost-courier-01.eml': failure('kijitora@example.co.jp'),
  'lhost-courier-02.eml': failure('kijitora@example.jp'),
  'lhost-courier-03.eml': failure('kijitora@example.jp'),
  'lhost-courier-04.eml': failure('kijitora@example.cat'),
  'lhost-einsundeins-02.eml': failure('kijitora@example.org'),
  'lhost-einsundeins-03.eml': failure('xxxx@xxxx.fr'),
  'lhost-exchange2003-01.eml': failure('kijitora@example.jp'),
  'lhost-exchange2003-02.eml': failure('kijitora@example.co.jp', 'mikeneko@example.co.jp'),
  'lhost-exchange2003-03.eml': failure('kijitora@example.jp'),
  'lhost-exchange2003-04.eml': failure('kijitora@example.com'),
  'lhost-exchange2003-05.eml': failure('kijitora@example.com'),
  'lhost-exchange2003-07.eml': failure('kijitora@example.org'),
  'lhost-exchange2007-01.eml': failure('mikeneko@example.co.jp'),
  'lhost-exchange2007-02.eml': failure('kijitora@example.edu'),
  'lhost-exchange2007-03.eml': failure('kijitora@neko.example.com'),
  'lhost-exchange2007-04.eml': failure('neko-nyaan@example.jp'),
  'lhost-exchange2007-05.eml': failure('gwang1@student.mlcsyd.nsw.edu.au'), // Action: failed, 4.4.7 (expired)
  'lhost-exchange2007-06.eml': failure('transports@agglo-saumur.fr'),
  'lhost-exchange2007-07.eml': failure('kijitora@example.jp'),
  'lhost-exim-01.eml': failure('kijitora@example.ed.jp'),
  'lhost-exim-02.eml': failure('kijitora@example.jp', 'sabatora@example.jp'),
  'lhost-exim-03.eml': failure('kijitora@example.or.jp'),
  'lhost-exim-04.eml': { kind: 'delivery-failure', recipients: null }, // the failed address is a bare "kijitora"
  'lhost-exim-05.eml': failure('kijitora@neko.example.co.jp'),
  'lhost-exim-06.eml': failure('kijitora@example.com'),
  'lhost-exim-07.eml': { kind: 'delivery-failure', recipients: null }, // "save to xxxx": a mailbox file
  'lhost-exim-08.eml': failure('kijitora@example.org'), // not <shironeko@...>, the sender it names first
  'lhost-exim-29.eml': failure('kijitora@example.co.jp'),
  'lhost-exim-30.eml': failure('kijitora@exmaple.ch'),
  'lhost-exim-31.eml': failure('kijitora@example.net'),
  'lhost-exim-32.eml': failure('kijitora@example.net'),
  'lhost-exim-33.eml': failure('pseudo-local-part-kijitora-nyaan@comcast.net'),
  'lhost-exim-34.eml': failure('kijitora@example.net'),
  'lhost-exim-35.eml': failure('kijitora@example.com'),
  'lhost-exim-36.eml': failure('kijitora@example.edu'),
  'lhost-exim-37.eml': failure('kijitora@example.net'),
  'lhost-exim-38.eml': delayed, // "Warning: message ... delayed 24 hours"
  'lhost-exim-39.eml': failure('kijitora@example.net'),
  'lhost-exim-40.eml': failure('kijitora@example.org'),
  'lhost-exim-41.eml': delayed,
  'lhost-exim-42.eml': failure('kijitora@example.net'),
  'lhost-exim-43.eml': failure('kijitora@example.net'),
  'lhost-exim-44.eml': { kind: 'delivery-failure', recipients: null }, // Final-Recipient is a pipe command
  'lhost-exim-45.eml': failure('kijitora@example.com'),
  'lhost-exim-46.eml': failure('kijitora@example.com'),
  'lhost-exim-47.eml': failure('kijitora@example.net'),
  'lhost-exim-48.eml': failure('kijitora@example.net'),
  'lhost-exim-49.eml': failure('kijitora@example.com'),
  'lhost-exim-50.eml': failure('kijitora@neko.example.com'),
  'lhost-exim-51.eml': failure('kijitora@example.org'),
  'lhost-exim-52.eml': { kind: 'delivery-failure', recipients: null }, // "malformed recipient address": nothing was sent
  'lhost-exim-53.eml': { kind: 'delivery-failure', recipients: null }, // a pipe failed
  'lhost-exim-54.eml': failure('kijitora@example.org'),
  'lhost-exim-55.eml': failure('kijitora@example.com'),
  'lhost-exim-56.eml': failure('kijitora@example.com'),
  'lhost-exim-57.eml': failure('kijitora@example.com'),
  'lhost-exim-58.eml': failure('kijitora@example.us'),
  'lhost-exim-59.eml': failure('kijitora@icloud.example.com'),
  'lhost-exim-60.eml': { kind: 'delivery-failure', recipients: null }, // Final-Recipient is a mailbox file
  'lhost-exim-61.eml': failure('xxxx@xxxx.net'),
  'lhost-ezweb-01.eml': failure('this-message-rejected-by-the-domain-filter@ezweb.ne.jp'),
  'lhost-ezweb-02.eml': failure('this-local-part-does-not-exist-on-the-server@ezweb.ne.jp'),
  'lhost-ezweb-03.eml': failure('this-local-part-does-not-exist-on-the-site@ezweb.ne.jp'),
  'lhost-ezweb-04.eml': failure('this-local-part-does-not-exist-on-the-server@ezweb.ne.jp'),
  'lhost-ezweb-05.eml': failure('this-local-part-does-not-exist-on-the-server@ezweb.ne.jp'),
  'lhost-ezweb-07.eml': failure('this-local-part-does-not-exist@ezweb.ne.jp'),
  'lhost-ezweb-08.eml': failure('kijitora-neko-nyaan-22222-cats@hotmail.com'),
  // fml mailing-list manager: "you are not a member" with List-Subscribe (a list's notice), and a
  // loop alert from the list's -admin address quoting the refused mail.
  'lhost-fml-02.eml': { kind: 'list' },
  'lhost-fml-03.eml': { kind: 'auto-generated' },
  'lhost-gmail-01.eml': failure('userunknown@example.jp'),
  'lhost-gmail-03.eml': failure('kijitora@example.co.jp'),
  'lhost-gmail-04.eml': failure('kijitora@example.com'),
  'lhost-gmail-05.eml': failure('shironeko@example.jp'),
  'lhost-gmail-06.eml': delayed, // "(Delay)"
  'lhost-gmail-07.eml': failure('kijitora@example.ed.jp'),
  'lhost-gmail-08.eml': delayed,
  'lhost-gmail-09.eml': delayed,
  'lhost-gmail-10.eml': failure('kijitora@6jo.example.co.jp'),
  'lhost-gmail-11.eml': failure('kijitora@example.com'),
  'lhost-gmail-15.eml': failure('mikeneko@libsisimai.org'),
  'lhost-gmail-16.eml': failure('mailboxfull@bouncehammer.jp'),
  'lhost-gmail-17.eml': delayed,
  'lhost-gmail-18.eml': failure('kijitora@example.or.jp'),
  'lhost-gmail-19.eml': failure('neko-nyaan@google.example.com'),
  'lhost-gmx-01.eml': failure('shironeko@example.jp'),
  'lhost-gmx-02.eml': failure('shironeko@example.jp'),
  'lhost-gmx-03.eml': failure('mikeneko@example.co.jp', 'sabineko@example.co.jp'),
  'lhost-gmx-04.eml': failure('kijitora@6jo.example.co.jp'),
  'lhost-kddi-01.eml': failure('kijitora@x0000000000000.dion.ne.jp'),
  'lhost-kddi-02.eml': failure('kijitora@00000000000000.dion.ne.jp'),
  'lhost-kddi-03.eml': failure('kijitora@00000000000000.dion.ne.jp'),
  'lhost-mailfoundry-01.eml': failure('kijitora@example.org'),
  'lhost-mailfoundry-02.eml': failure('kijitora@example.org'),
  'lhost-mailmarshal-02.eml': failure('kijitora@nyaan.example.com'),
  'lhost-messagingserver-01.eml': failure('kijitora@example.jp'),
  'lhost-messagingserver-02.eml': failure('kijitora@example.net'), // Final-Recipient is an LMTP route; Original-Recipient
  // Content-type multipart/report with no boundary: the report (sabineko@, mikeneko@example.org) is unreadable.
  'lhost-messagingserver-03.eml': unreadable,
  'lhost-messagingserver-04.eml': failure('kijitora@example.jp'),
  'lhost-messagingserver-05.eml': failure('kijitora@example.jp'),
  'lhost-messagingserver-06.eml': failure('kijitora@example.jp'),
  'lhost-messagingserver-07.eml': delayed, // Action: delayed
  'lhost-messagingserver-08.eml': failure('otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp'),
  'lhost-messagingserver-09.eml': failure('otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp'),
  'lhost-messagingserver-10.eml': failure('neko@libsisimai.org'),
  'lhost-messagingserver-11.eml': failure('kijitora@example.jp'),
  'lhost-messagingserver-12.eml': failure('pseudo-local-part-kijitora-neko-nyaan@mac.com'),
  'lhost-outlook-01.eml': failure('kijitora@example.jp'),
  'lhost-outlook-02.eml': failure('kijitora@example.jp'),
  'lhost-outlook-03.eml': failure('kijitora@example.jp'),
  'lhost-outlook-04.eml': failure('sabineko@example.co.jp', 'mikeneko@example.co.jp'),
  'lhost-outlook-06.eml': delayed,
  'lhost-outlook-07.eml': failure('kijitora@example.com'),
  'lhost-outlook-08.eml': failure('kijitora@hotmail.example.com'),
  'lhost-outlook-09.eml': failure('kijitora@example.org'),
  'lhost-powermta-01.eml': failure('kijitora@example.jp'),
  'lhost-powermta-02.eml': failure('kijitora@example.com'),
  'lhost-powermta-03.eml': failure('kijitora@libsisimai.org'),
  'lhost-qmail-01.eml': failure('kijitora@example.ne.jp'),
  'lhost-qmail-02.eml': failure('userunknown@example.jp', 'filtered@example.jp'),
  'lhost-qmail-03.eml': failure('kijitora@example.org'),
  'lhost-qmail-04.eml': failure('kijitora@example.net'),
  'lhost-qmail-05.eml': failure('kijitora@example.net'),
  'lhost-qmail-06.eml': failure('kijitora@example.jp'),
  'lhost-qmail-07.eml': failure('kijitora@example.jp'),
  'lhost-qmail-08.eml': failure('shironeko@example.ad.jp'),
  'lhost-qmail-09.eml': failure('neko@example.co.jp'),
  'lhost-qmail-10.eml': failure('kijitora@neko2.example.co.jp'),
  'lhost-qmail-11.eml': failure('neko@nyaan.jp'),
  'lhost-qmail-12.eml': failure('nyaan@example.org'),
  'lhost-qmail-13.eml': failure('nekochan@cx.libsisimai.com'),
  'lhost-qmail-14.eml': failure('pseudo-local-part-of-google-gmail@gmail.com'),
  'lhost-qmail-15.eml': failure('pseudo-local-part-of-microsoft-outlook@outlook.com'),
  'lhost-qmail-16.eml': failure('userunknown@libsisimai.net'),
  'lhost-qmail-17.eml': failure('userunknown@libsisimai.net', 'mailboxfull@libsisimai.net'),
  'lhost-qmail-18.eml': failure('userunknown@libsisimai.net'),
  // "421 4.7.0 temporarily deferred" but "This is a permanent error; I've given up": a failure.
  'lhost-qmail-19.eml': failure('pseudo-local-part-of-yahoo-inc@yahoo.com'),
  'lhost-qmail-20.eml': failure('pseudo-local-part-of-each-esp@gmail.com'),
  'lhost-qmail-21.eml': failure('libgsasl7-dev@email.example.jp'),
  'lhost-qmail-22.eml': failure('pseudo-local-part-of-each-esp@outlook.com'),
  'lhost-qmail-23.eml': failure('userunknown@libsisimai.net'),
  'lhost-qmail-24.eml': failure('mailboxfull@libsisimai.net'),
  'lhost-qmail-25.eml': failure('mailboxfull@libsisimai.net', 'userunknown@libsisimai.net'),
  'lhost-trendmicro-01.eml': failure('kijitora@example.co.jp'),
  'lhost-trendmicro-02.eml': failure('kijitora@neko.example.jp'),
  'lhost-trendmicro-03.eml': failure('kijitora@example.jp'),
  // sendmail v5 "Returned mail": returned, so failures, even "Deferred" ones. -01 names no recipient
  // in its transcript, -05 and -07 name several through long transcripts (not checked address by address).
  'lhost-v5sendmail-01.eml': { kind: 'delivery-failure', recipients: null },
  'lhost-v5sendmail-02.eml': failure('kijitora@neko.example.org'),
  'lhost-v5sendmail-03.eml': failure('kijitora@example.org'),
  'lhost-v5sendmail-04.eml': failure('kijitora@example.ed.jp', 'mikeneko@example.ac.jp'),
  'lhost-v5sendmail-05.eml': { kind: 'delivery-failure', recipients: null },
  'lhost-v5sendmail-06.eml': failure('kijitora@example.edu'),
  'lhost-v5sendmail-07.eml': { kind: 'delivery-failure', recipients: null },
  'lhost-x1-01.eml': failure('kijitora@example.co.jp'),
  'lhost-x1-02.eml': { kind: 'delivery-failure', recipients: null }, // iso-2022-jp text part held as an attachment
  'lhost-x1-03.eml': failure('kijitora@example.org'),
  'lhost-x1-04.eml': delayed, // "Warning--Could not send mail for past 8.5 hours"
  'lhost-x3-01.eml': failure('kijitora@example.com'),
  'lhost-x3-02.eml': failure('kijitora@example.co.jp'),
  'lhost-x3-03.eml': failure('kijitora@example.co.jp'),
  'lhost-x3-05.eml': { kind: 'delivery-failure', recipients: null }, // its delivery-status part names no recipient
  'lhost-x3-06.eml': failure('xxxx@xxxx.net'),
  'lhost-x4-01.eml': failure('kijitora@example.com'),
  'lhost-yandex-01.eml': failure('kijitora@example.jp'),
  'lhost-yandex-02.eml': failure('mikeneko@example.jp', 'sabineko@example.jp'),
  'lhost-yandex-03.eml': failure('kijitora@6jo.example.jp'),
  'rhost-aol-01.eml': failure('kijitora@example.jp'),
  'rhost-aol-02.eml': failure('kijitora@example.co.jp'),
  'rhost-aol-03.eml': failure('sabineko@example.jp', 'mikeneko@example.jp'),
  'rhost-aol-04.eml': failure('kijitora@example.co.jp'),
  'rhost-aol-05.eml': failure('nyan@haineko.org'),
  'rhost-aol-06.eml': failure('neko@libsisimai.org'),
  'rhost-cloudflare-01.eml': failure('kijitora-neko@example.com'),
  'rhost-facebook-03.eml': failure('kijitora@facebook.com'),
  'rhost-facebook-04.eml': failure('kijitora@facebook.com'),
  'rhost-iua-01.eml': failure('neko@email.example.ua'),
  'rhost-kddi-01.eml': failure('otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp'),
  'rhost-kddi-02.eml': failure('otsu-sakaba-hunter-neko-nyaaaaaaan@au.com'),
  'rhost-messagelabs-01.eml': failure('kijitora@example.messagelabs.com'),
  'rhost-messagelabs-02.eml': failure('kijitora@neko.example.org'),
  'rhost-messagelabs-03.eml': failure('kijitora@example.com'),
  'rhost-outlook-01.eml': failure('kijitora@example.jp'),
  'rhost-outlook-02.eml': failure('kijitora@example.jp'),
  'rhost-outlook-03.eml': failure('kijitora@example.jp'),
  'rhost-outlook-04.eml': failure('sabineko@example.co.jp', 'mikeneko@example.co.jp'),
  'rhost-outlook-06.eml': delayed,
  'rhost-outlook-07.eml': failure('kijitora@example.com'),
  'rhost-outlook-08.eml': failure('kijitora@hotmail.example.com'),
  'rhost-outlook-09.eml': failure('kijitora@example.org'),
  'rhost-tencent-01.eml': failure('nekochan@qq.example.cn'),
  'rhost-tencent-02.eml': failure('neko@qq.example.com'),
  'rhost-tencent-03.eml': failure('neko@qq.example.cn'),
};
