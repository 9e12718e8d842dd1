"""Simplified Chinese for the administration's safeguards: roles and dealers, lockout, sessions, password reset and
two-factor sign-in (read by zh_hans_glossary.py)."""

ZH_HANS = {
    "Personal info": "个人信息",
    "Roles and dealers": "角色与经销商",
    "Important dates": "重要日期",
    "roles": "角色",
    "Too many failed sign-ins for this user from this address. Try again in %(minutes)d minute, or ask your "
    "administrator to unlock the account.": "该账号在此地址登录失败次数过多。请 %(minutes)d 分钟后再试，"
    "或请管理员解除锁定。",
    "Your session has ended. Please log in again.": "您的登录已过期，请重新登录。",
    "Code from your authenticator app": "身份验证器应用中的验证码",
    "Enter the 6 digits your authenticator app shows.": "请输入身份验证器应用显示的 6 位数字。",
    "This code is not right, or was used already. Enter the code shown now.": "验证码不正确或已使用过，"
    "请输入当前显示的验证码。",
    "Change your password": "修改密码",
    "Forgot your password?": "忘记密码？",
    "Password changed": "密码已修改",
    "Your new password is saved. Your other sessions were signed out.": "新密码已保存，您在其他设备上的登录已退出。",
    "Back to the CAC": "返回顾客服务中心",
    "Your other sessions (other browsers and devices) are signed out when the password changes.": "修改密码后，"
    "您在其他浏览器和设备上的登录将自动退出。",
    "Save the new password": "保存新密码",
    "Your new password is saved. Log in with it.": "新密码已保存，请用新密码登录。",
    "Choose a new password": "设置新密码",
    "This link is not valid any more: it was used already or it has expired. Ask for a new one.": "此链接已失效："
    "已被使用或已过期。请重新申请。",
    "Reset your password": "重置密码",
    "Check your e-mail": "请查收邮件",
    "If an account has this address, a link to choose a new password is on its way. It works once, for a limited "
    "time.": "如果有账号使用此邮箱，设置新密码的链接已发出。链接只能使用一次，并有有效期。",
    "Back to log in": "返回登录",
    "Hello %(name)s,\n\nsomeone (we hope you) asked to reset the password of your Customer Assistance Center "
    "account. Choose a new password here:": "%(name)s，您好：\n\n有人（希望是您本人）申请重置您在顾客服务中心的"
    "账号密码。请在此设置新密码：",
    "Your username: %(username)s\n\nIf you did not ask for this, ignore this message: your password stays as it "
    "is.": "您的用户名：%(username)s\n\n如果不是您本人申请，请忽略此邮件，您的密码不会改变。",
    "Enter the e-mail address of your staff account. We will send you a link to choose a new password.": "请输入"
    "您员工账号的电子邮箱，我们将发送设置新密码的链接。",
    "Send the link": "发送链接",
    "Customer Assistance Center: reset your password": "顾客服务中心：重置密码",
    "Two-factor sign-in": "双重验证登录",
    "The administration needs a second step. Scan this code with an authenticator app on your phone (for example "
    "Microsoft Authenticator or Google Authenticator), then enter the 6-digit code it shows.": "进入系统管理需要"
    "第二步验证。请用手机上的身份验证器应用（如 Microsoft Authenticator 或 Google Authenticator）扫描此二维码，"
    "然后输入应用显示的 6 位验证码。",
    "Or enter this key by hand:": "或手动输入此密钥：",
    "Enter the 6-digit code your authenticator app shows for the CAC.": "请输入身份验证器应用为顾客服务中心显示的 "
    "6 位验证码。",
    "Confirm and continue": "确认并继续",
    "Verify": "验证",
}
