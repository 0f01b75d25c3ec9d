/** One line of `slagate doctor`: what was checked, whether it passed, and in plain words why. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What is wrong and what to do about it, or what was found when it passed. */
  detail: string;
}
