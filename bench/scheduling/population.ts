import type postgres from "postgres";
import { occurrenceIn, type SchedulePolicy } from "../../core/scheduling/occurrence.ts";
import { intBetween, mulberry32, type Random, weightedPicker } from "../matching/random.ts";
import { deferIndexes } from "./bulk.ts";

/**
 * The scheduling workload of ../shared/BENCH.md: users born on a day drawn uniformly from 1950-2005 (so Feb 29
 * comes up at its real frequency, about 1 in 1,461), in a time zone drawn from a weighted list of 40 IANA zones
 * from -11 to +14. The same draws serve the core figure (in JS, mulberry32) and the Postgres load (in SQL,
 * hashint8extended of the row number and the seed, so a million rows load in one statement, not row by row).
 */
export const ZONES: ReadonlyArray<readonly [zone: string, weight: number]> = [
  ["Pacific/Pago_Pago", 1],
  ["Pacific/Honolulu", 2],
  ["America/Anchorage", 2],
  ["America/Los_Angeles", 40],
  ["America/Denver", 15],
  ["America/Phoenix", 5],
  ["America/Chicago", 35],
  ["America/Mexico_City", 25],
  ["America/New_York", 60],
  ["America/Bogota", 12],
  ["America/Halifax", 3],
  ["America/St_Johns", 1],
  ["America/Sao_Paulo", 30],
  ["America/Argentina/Buenos_Aires", 12],
  ["Atlantic/Azores", 1],
  ["Europe/London", 30],
  ["Africa/Lagos", 20],
  ["Europe/Paris", 25],
  ["Europe/Berlin", 35],
  ["Africa/Cairo", 12],
  ["Europe/Istanbul", 12],
  ["Europe/Moscow", 15],
  ["Asia/Tehran", 8],
  ["Asia/Dubai", 6],
  ["Asia/Karachi", 20],
  ["Asia/Kolkata", 80],
  ["Asia/Kathmandu", 3],
  ["Asia/Dhaka", 15],
  ["Asia/Bangkok", 12],
  ["Asia/Jakarta", 20],
  ["Asia/Shanghai", 70],
  ["Asia/Singapore", 8],
  ["Asia/Tokyo", 25],
  ["Australia/Adelaide", 2],
  ["Australia/Sydney", 10],
  ["Pacific/Noumea", 1],
  ["Pacific/Auckland", 4],
  ["Pacific/Chatham", 1],
  ["Pacific/Tongatapu", 1],
  ["Pacific/Kiritimati", 1],
];

const FIRST_BIRTHDAY = Date.UTC(1950, 0, 1);
const BIRTHDAY_DAYS = (Date.UTC(2005, 11, 31) - FIRST_BIRTHDAY) / 86_400_000 + 1;

/** `count` (birthday, zone) pairs from `seed`, for the core figure. */
export const userMix = (seed: number, count: number): Array<{ birthday: string; timeZone: string }> => {
  const random: Random = mulberry32(seed);
  const pickZone = weightedPicker(ZONES.map(([, weight]) => weight));
  return Array.from({ length: count }, () => {
    const day = new Date(FIRST_BIRTHDAY + intBetween(random, 0, BIRTHDAY_DAYS - 1) * 86_400_000);
    return { birthday: day.toISOString().slice(0, 10), timeZone: ZONES[pickZone(random)]?.[0] ?? "UTC" };
  });
};

/** The zone list with each name repeated `weight` times: a uniform index into it is a weighted draw. */
const weightedZoneArray = (): string[] => ZONES.flatMap(([zone, weight]) => Array<string>(weight).fill(zone));

export interface LoadPlan {
  readonly seed: number;
  readonly users: number;
  /** Users in `burstZone` born on the benchmark date's month and day (years still drawn from 1950-2005). */
  readonly burst: number;
  readonly burstZone: string;
  /** `YYYY-MM-DD`; not Feb 29. */
  readonly benchDate: string;
  /** The tick's minute: every occurrence sent before it is history, so each user's pending row is the next one. */
  readonly minuteStart: Date;
  readonly policy: SchedulePolicy;
}

/** A sequential UUID (v7-shaped, as our ids are time-ordered) from a kind prefix and the row number. */
const idSql = (prefix: string, column: string) =>
  `('${prefix}-0000-7000-8000-' || lpad(to_hex(${column}), 12, '0'))::uuid`;
/** A user's birthday event id: the user's id under the events' prefix. */
const EVENT_ID_SQL = "('00000002' || substr(u.id::text, 9))::uuid";
/** A uniform float in [0, 1) from the row number and a seed, stable across runs and plans. */
const fractionSql = (column: string, seed: number) =>
  `((hashint8extended(${column}::bigint, ${seed}) & 4503599627370495)::float8 / 4503599627370496)`;

/**
 * Users, one birthday event each, and each event's pending delivery for its next occurrence at or after the tick's
 * minute, in four set-based statements. The occurrence applies the leap-day policy and the send time is resolved
 * in the user's zone by PostgreSQL's tz database; `verifySample` checks it against the core's own computation.
 */
export const loadPopulation = async (sql: postgres.Sql, plan: LoadPlan): Promise<void> => {
  await deferIndexes(sql, ["users", "yearly_events", "deliveries"], () => insertRows(sql, plan));
  // As a live table would be: visibility map set and statistics fresh, so autovacuum does not run mid-benchmark.
  await sql`vacuum analyze`;
};

const insertRows = async (sql: postgres.Sql, plan: LoadPlan): Promise<void> => {
  await sql`set work_mem = '256MB'`; // the deliveries join sorts or hashes a million rows
  const total = plan.users + plan.burst;
  const zones = weightedZoneArray();
  const [month, day] = [Number(plan.benchDate.slice(5, 7)), Number(plan.benchDate.slice(8, 10))];
  const created = new Date(plan.minuteStart.getTime() - 400 * 86_400_000).toISOString();
  await sql.unsafe(
    `insert into users (id, first_name, last_name, email, birthday, time_zone, created_at, updated_at)
     select ${idSql("00000001", "g")}, 'User', 'No' || g, null,
       case when g <= $1 then date '1950-01-01' + floor(${fractionSql("g", plan.seed)} * ${BIRTHDAY_DAYS})::int
            else make_date(1950 + floor(${fractionSql("g", plan.seed + 1)} * 56)::int, ${month}, ${day}) end,
       case when g <= $1 then ($2::text[])[1 + floor(${fractionSql("g", plan.seed + 2)} * ${zones.length})::int]
            else $3 end,
       $4::timestamptz, $4::timestamptz
     from generate_series(1, ${total}) g`,
    [plan.users, zones, plan.burstZone, created],
  );
  await sql.unsafe(
    `insert into yearly_events (id, user_id, type, date, created_at)
     select ${EVENT_ID_SQL}, id, 'birthday', birthday, created_at from users u`,
  );
  const pad = (value: number) => String(value).padStart(2, "0");
  const sendTime = `${pad(plan.policy.sendTime.hour)}:${pad(plan.policy.sendTime.minute)}`;
  const leapDay = plan.policy.leapDayPolicy === "feb-28" ? "make_date(y, 2, 28)" : "make_date(y, 3, 1)";
  const year = plan.minuteStart.getUTCFullYear() - 1;
  // The next occurrence depends only on (zone, month, day): resolved once per pair in the tz database, then joined.
  await sql.unsafe(
    `create temporary table next_occurrences as
     select distinct on (z.zone, md.month, md.day) z.zone, md.month, md.day, o.day as occurrence, o.send_at
     from unnest($3::text[]) z(zone)
     cross join (select extract(month from d)::int as month, extract(day from d)::int as day
                 from generate_series(date '2000-01-01', date '2000-12-31', interval '1 day') d) md
     cross join (values (${year}), (${year + 1}), (${year + 2})) years(y)
     cross join lateral (
       select (case when md.month = 2 and md.day = 29 and not (y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0))
                    then ${leapDay} else make_date(y, md.month, md.day) end) as day
     ) d
     cross join lateral (select d.day, (d.day + $1::time) at time zone z.zone as send_at) o
     where o.send_at >= $2::timestamptz
     order by z.zone, md.month, md.day, o.day`,
    [sendTime, plan.minuteStart.toISOString(), [...new Set([...ZONES.map(([zone]) => zone), plan.burstZone])]],
  );
  await sql.unsafe("analyze next_occurrences");
  // Each user's one event is their birthday, with the id derived from theirs (see the events insert).
  await sql.unsafe(
    `insert into deliveries (event_id, user_id, occurrence, send_at, status, created_at, updated_at)
     select ${EVENT_ID_SQL}, u.id, o.occurrence, o.send_at, 'pending', u.created_at, u.created_at
     from users u join next_occurrences o on o.zone = u.time_zone
       and o.month = extract(month from u.birthday)::int and o.day = extract(day from u.birthday)::int`,
  );
  await sql.unsafe("drop table next_occurrences");
};

/** Loaded deliveries of `count` seeded users, each compared with the core's occurrence; the mismatches. */
export const verifySample = async (
  sql: postgres.Sql,
  plan: LoadPlan,
  count: number,
): Promise<{ checked: number; mismatches: string[] }> => {
  const random = mulberry32(plan.seed ^ 0x5eed);
  const numbers = Array.from({ length: count }, () => intBetween(random, 1, plan.users + plan.burst));
  const rows = await sql.unsafe<{ event_date: string; time_zone: string; occurrence: string; send_at: string }[]>(
    `select e.date::text as event_date, u.time_zone, d.occurrence::text, d.send_at
     from unnest($1::bigint[]) n join users u on u.id = ${idSql("00000001", "n")}
     join yearly_events e on e.user_id = u.id join deliveries d on d.event_id = e.id`,
    [numbers],
  );
  const mismatches = rows.flatMap((row) => {
    const core = occurrenceIn(row.event_date, Number(row.occurrence.slice(0, 4)), row.time_zone, plan.policy);
    const same = core.occurrence === row.occurrence && core.sendAt.getTime() === new Date(row.send_at).getTime();
    return same
      ? []
      : [
          `${row.event_date} ${row.time_zone}: sql ${row.occurrence} ${row.send_at}, core ${core.occurrence} ${core.sendAt.toISOString()}`,
        ];
  });
  return { checked: rows.length, mismatches };
};
