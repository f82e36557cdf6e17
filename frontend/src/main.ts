import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/el-overlay.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { useTokens } from './api/client'
import { useAuth } from './stores/auth'
import './styles.css'

const app = createApp(App).use(createPinia()).use(i18n).use(router)
const auth = useAuth()
useTokens({ accessToken: () => auth.accessToken() })
app.mount('#app')
