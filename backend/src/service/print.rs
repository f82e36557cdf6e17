//! Printable pages (HTML with print CSS, A4): the admission ticket (准考证) and the certificate
//! (荣誉证书). Everything a person typed is escaped; the pages are built from checked rows only.

use chrono::{DateTime, Datelike, Utc};

use crate::domain::award::{award_label, AwardKind, AwardStatus};
use crate::domain::time::Zone;
use crate::error::{ApiError, ApiResult};
use crate::store::awards::AwardView;
use crate::wire::draw::Ticket;

/// Text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A QR code as inline SVG.
pub fn qr_svg(url: &str) -> ApiResult<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ApiError::internal(format!("qr code: {e}")))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).build();
    // Inline in HTML: drop the XML declaration.
    Ok(svg.split_once("?>").map(|(_, rest)| rest.to_string()).unwrap_or(svg))
}

/// The admission ticket as a printable A4 page, its sittings in the zone's wall-clock time.
pub fn ticket_page(t: &Ticket, zone: Zone) -> String {
    let local = |at: DateTime<Utc>| zone.wall_clock(at.naive_utc());
    let sessions: String = t
        .sessions
        .iter()
        .map(|s| {
            format!(
                "<tr><td>{}</td><td>{} – {}</td><td>{}</td></tr>",
                escape(&s.name),
                local(s.starts_at),
                local(s.ends_at),
                escape(&s.venue)
            )
        })
        .collect();
    let instructions: String = t.instructions.iter().map(|i| format!("<li>{}</li>", escape(i))).collect();
    format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>准考证 {number}</title>
<style>
@page {{ size: A4; margin: 18mm; }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; color: #111; }}
h1 {{ text-align: center; font-size: 22pt; margin: 0 0 4mm; }}
h2 {{ text-align: center; font-size: 13pt; font-weight: normal; margin: 0 0 8mm; }}
.head {{ display: flex; gap: 8mm; }}
.fields {{ flex: 1; border-collapse: collapse; }}
.fields th {{ text-align: left; width: 28mm; padding: 2mm; background: #f2f2f2; }}
.fields td, .fields th {{ border: 1px solid #999; padding: 2mm; }}
.photo {{ width: 30mm; height: 40mm; border: 1px dashed #666; display: flex; align-items: center; justify-content: center; color: #666; }}
table.sessions {{ width: 100%; border-collapse: collapse; margin-top: 8mm; }}
table.sessions td, table.sessions th {{ border: 1px solid #999; padding: 2mm; }}
.number {{ font-size: 16pt; letter-spacing: 1mm; font-weight: bold; }}
</style></head><body>
<h1>准考证</h1><h2>{competition}</h2>
<div class="head"><table class="fields">
<tr><th>准考证号</th><td class="number">{number}</td></tr>
<tr><th>姓名</th><td>{name}</td></tr>
<tr><th>性别</th><td>{gender}</td></tr>
<tr><th>身份证号</th><td>{id_number}</td></tr>
<tr><th>赛项</th><td>{event}</td></tr>
<tr><th>推荐单位</th><td>{unit}</td></tr>
</table><div class="photo">照片<br>Photo</div></div>
<table class="sessions"><tr><th>场次 Sitting</th><th>时间 (北京时间)</th><th>地点 Venue</th></tr>{sessions}</table>
<h3>考生须知</h3><ol>{instructions}</ol>
</body></html>"#,
        number = escape(&t.ticket_number),
        competition = escape(&t.competition_name),
        name = escape(&t.full_name),
        gender = if t.gender == "female" { "女" } else { "男" },
        id_number = escape(&t.id_number),
        event = escape(&t.event_name),
        unit = escape(&t.nominating_org_name),
    )
}

/// "在2026年昆明市…大赛": the year once, whether or not the competition's name begins with it.
fn competition_of_year(year: i32, name: &str) -> String {
    if name.starts_with(&year.to_string()) {
        name.to_string()
    } else {
        format!("{year}年{name}")
    }
}

/// A granted award's certificate (A4 landscape) with its number and check code, and a QR code of
/// `url`, its public verification page.
pub fn certificate_page(view: &AwardView, url: &str, zone: Zone) -> ApiResult<String> {
    let a = &view.award;
    let number = escape(a.certificate_number.as_deref().unwrap_or_default());
    let code = escape(a.check_code.as_deref().unwrap_or_default());
    let title = AwardKind::parse(&a.kind).map_or_else(|| a.kind.clone(), |k| award_label(k, a.to_level));
    let granted = a
        .granted_at
        .map(|t| zone.date_of(t))
        .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
        .unwrap_or_default();
    let revoked = if a.status == AwardStatus::Revoked.as_str() {
        format!("<p class=\"revoked\">已撤销 REVOKED：{}</p>", escape(a.revoked_reason.as_deref().unwrap_or("")))
    } else {
        String::new()
    };
    Ok(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>荣誉证书 {number}</title>
<style>@page {{ size: A4 landscape; margin: 18mm }} body {{ font-family: "Noto Serif CJK SC", "Songti SC", serif; text-align: center }}
h1 {{ font-size: 40pt; letter-spacing: 1em; margin: 8mm 0 }} .name {{ font-size: 26pt; font-weight: bold }}
.body {{ font-size: 18pt; line-height: 2 }} .award {{ font-size: 30pt; color: #b8860b; margin: 6mm 0 }}
.foot {{ display: flex; justify-content: space-between; align-items: flex-end; margin-top: 12mm; font-size: 12pt; text-align: left }}
.revoked {{ color: #c00; font-size: 20pt; border: 2px solid #c00; display: inline-block; padding: 2mm 6mm }}</style></head>
<body><h1>荣誉证书</h1>{revoked}
<p class="name">{name}</p>
<p class="body">在{competition}{event}项目中荣获第{rank}名，成绩优异，特发此证。</p>
<p class="award">{title}</p>
<div class="foot"><div>证书编号：{number}<br>校验码：{code}<br>颁发单位：{issuer}<br>颁发日期：{granted}</div>
<div>{qr}<br><small>扫码验证 Scan to verify</small></div></div></body></html>"#,
        name = escape(&view.full_name),
        competition = escape(&competition_of_year(a.year, &view.competition_name)),
        event = escape(&view.event_name),
        rank = a.rank,
        title = escape(&title),
        issuer = escape(a.granted_by.as_deref().unwrap_or(&view.host_name)),
        qr = qr_svg(url)?,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_certificate_names_the_year_once() {
        assert_eq!(super::competition_of_year(2026, "2026年昆明市职工职业技能大赛"), "2026年昆明市职工职业技能大赛");
        assert_eq!(super::competition_of_year(2026, "昆明市职工职业技能大赛"), "2026年昆明市职工职业技能大赛");
    }
}
