-- Two years of tickets (2025-2026) for bench/reports-at-scale.bench.test.ts, in one statement;
-- {{TICKETS}} is replaced with the count. Run `select setseed(...)` first for the same data each run.
insert into tickets (number, mailbox, private, type, type_source, priority, priority_reason, status, requester_address,
  subject, sla_review, satisfaction_score, received_at, first_response_at, qualified_at, resolved_at,
  first_response_due, resolution_due, breached_at, first_response_extra_minutes, resolution_extra_minutes, created_at, updated_at)
select number, mailbox, private, type, 'tag', priority, 'tag', case when resolved_at is null then 'open' else 'resolved' end,
  requester, 'bench ticket', sla_review, case when resolved_at is not null and r8 < 0.3 then 1 + floor(r9 * 5)::int end,
  received_at, first_response_at, qualified_at, resolved_at, first_response_due, resolution_due,
  case when first_response_at is null or first_response_at > first_response_due then first_response_due
    when resolved_at > resolution_due then resolution_due end,
  0, extra, received_at, received_at
from (
  select *,
    received_at + target * interval '1 minute' as first_response_due,
    case when priority <> 'low' and qualified_at is not null
      then qualified_at + (case priority when 'critical' then 420 when 'high' then 1440 else 8640 end + extra) * interval '1 minute' end as resolution_due
  from (
    select *,
      case when r4 < 0.95 then received_at + (r5 * target * 1.3) * interval '1 minute' end as first_response_at,
      case when r4 < 0.85 then received_at + (r5 * target * 1.3 + 30) * interval '1 minute' end as qualified_at,
      case when r4 < 0.75 then received_at + (r5 * target * 1.3 + 30 + r6 * 7200) * interval '1 minute' end as resolved_at
    from (
      select *,
        case when private then 'YN-' else 'SR-' end || g as number,
        case when private then 'management' else 'support' end as mailbox,
        case when private then 'complaint' when priority in ('critical', 'high') then (array['problem', 'access', 'email-deliverability', 'main-code-problem'])[1 + floor(r7 * 4)::int]
          when priority = 'medium' then (array['problem', 'question', 'website', 'automation', 'licenses', 'capacity', 'report'])[1 + floor(r7 * 7)::int]
          else (array['customization', 'other', 'partner-role'])[1 + floor(r7 * 3)::int] end as type,
        case priority when 'critical' then 60 when 'high' then 120 when 'medium' then 240 else 480 end as target
      from (
        select g, r4, r5, r6, r7, r8, r9, private,
          case when private then 'low' when r1 < 0.05 then 'critical' when r1 < 0.25 then 'high' when r1 < 0.9 then 'medium' else 'low' end as priority,
          case when r2 < 0.1 then 'user' || floor(r3 * 50000)::int || '@gmail.com'
            else 'u' || floor(r8 * 6)::int || '@client' || floor(r3 * r3 * 2000)::int || '.example' end as requester,
          -- Business hours on weekdays of 2025-2026, in Istanbul.
          ((date '2025-01-06' + floor(r10 * 104)::int * 7 + floor(r11 * 5)::int)
            + make_interval(mins => 540 + floor(r12 * 540)::int)) at time zone 'Europe/Istanbul' as received_at,
          r9 < 0.01 as sla_review,
          case when r9 > 0.995 then 240 else 0 end as extra
        from (
          select g, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6, random() as r7,
            random() as r8, random() as r9, random() as r10, random() as r11, random() as r12, random() < 0.02 as private
          from generate_series(1, {{TICKETS}}) g
        ) r
      ) p
    ) t
  ) c
) d
order by received_at;
