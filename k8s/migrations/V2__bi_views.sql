-- BI views. Days are UTC calendar days of session_start, so that a day's figures never change
-- with the reader's time zone.

create view bi_daily_sessions as
select (session_start at time zone 'UTC')::date                        as day,
       count(*)                                                        as sessions,
       count(distinct user_id)                                         as users,
       round(avg(case when is_bounce then 1.0 else 0.0 end), 4)        as bounce_rate,
       round(avg(duration_ms))::bigint                                 as avg_duration_ms,
       sum(revenue)                                                    as revenue,
       sum(purchases)                                                  as purchases,
       sum(page_views)                                                 as page_views
from sessions
group by 1;

create view bi_user_daily_sessions as
select user_id,
       (session_start at time zone 'UTC')::date                        as day,
       count(*)                                                        as sessions,
       round(avg(case when is_bounce then 1.0 else 0.0 end), 4)        as bounce_rate,
       round(avg(duration_ms))::bigint                                 as avg_duration_ms,
       sum(revenue)                                                    as revenue,
       sum(purchases)                                                  as purchases,
       sum(page_views)                                                 as page_views
from sessions
group by 1, 2;

create view bi_top_landing_pages as
select (session_start at time zone 'UTC')::date                        as day,
       landing_page,
       max(landing_category)                                           as landing_category,
       count(*)                                                        as sessions,
       round(avg(case when is_bounce then 1.0 else 0.0 end), 4)        as bounce_rate,
       sum(revenue)                                                    as revenue
from sessions
where landing_page is not null
group by 1, 2;

-- Sessions without a campaign count as the channel '(direct)'.
create view bi_channels as
select (session_start at time zone 'UTC')::date                        as day,
       coalesce(utm_source, '(direct)')                                as channel,
       count(*)                                                        as sessions,
       count(distinct user_id)                                         as users,
       round(avg(case when is_bounce then 1.0 else 0.0 end), 4)        as bounce_rate,
       sum(revenue)                                                    as revenue,
       sum(purchases)                                                  as purchases
from sessions
group by 1, 2;
